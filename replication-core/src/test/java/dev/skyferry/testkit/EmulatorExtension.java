package dev.skyferry.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(EmulatorExtension.class)} injects {@link Emulators#shared()} into any test method,
 * lifecycle method or constructor parameter of type {@link Emulators} (or {@link AwsServices}).
 * The set starts on first use and stops when the test JVM exits.
 */
public final class EmulatorExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == Emulators.class || type == AwsServices.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        try {
            return Emulators.shared();
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("the emulators did not start: " + e.getMessage(), e);
        }
    }
}
