package dev.skyferry.identity;

import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** Wraps an SDK provider so its failures become {@link IdentityFailure}s with hints; owns what it closes. */
final class ClassifyingCredentialsProvider implements CloseableAwsCredentialsProvider {

    private static final Logger LOG = LoggerFactory.getLogger(ClassifyingCredentialsProvider.class);

    private final AwsAuthMode mode;
    private final AwsCredentialsProvider delegate;
    private final String operation;
    private final Supplier<IdentityHints.Context> context;
    private final List<AutoCloseable> resources;

    ClassifyingCredentialsProvider(AwsAuthMode mode, AwsCredentialsProvider delegate, String operation,
                                   Supplier<IdentityHints.Context> context, List<AutoCloseable> resources) {
        this.mode = mode;
        this.delegate = delegate;
        this.operation = operation;
        this.context = context;
        this.resources = List.copyOf(resources);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return delegate.resolveCredentials();
        } catch (RuntimeException e) {
            throw IdentityFailures.fromSts(e, operation, context.get());
        }
    }

    @Override
    public AwsAuthMode mode() {
        return mode;
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resource, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "AWS credentials (" + mode + ")";
    }
}
