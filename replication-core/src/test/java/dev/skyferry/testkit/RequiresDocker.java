package dev.skyferry.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated test class only where a Docker engine answers; elsewhere every test in it is
 * reported as skipped with {@link LocalStackAws#NO_DOCKER_REASON} (never failed, never faked).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {

    final class Condition implements ExecutionCondition {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Condition.class);

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            // Asked once per run: probing for Docker takes a moment and the answer does not change.
            boolean available = context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent("docker", key -> LocalStackAws.dockerAvailable(), Boolean.class);
            return available
                    ? ConditionEvaluationResult.enabled("a Docker engine answers")
                    : ConditionEvaluationResult.disabled(LocalStackAws.NO_DOCKER_REASON);
        }
    }
}
