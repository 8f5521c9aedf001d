package dev.skyferry.app;

import com.azure.storage.queue.QueueClient;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.app.ops.OpsContext;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.pipeline.ReplicationPipeline;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The operator commands' view of a configuration: the same wiring the worker uses. */
final class ConfigOpsContext implements OpsContext {

    private final Wiring wiring;
    private final EventProcessor processor;

    private ConfigOpsContext(SkyferryConfig config, Map<String, String> env) {
        wiring = Wiring.create(config, env, RetryObserver.NONE);
        CopySettings settings = config.copy().settingsFor(Runtime.getRuntime().maxMemory());
        processor = new ReplicationPipeline(wiring.rules(), wiring::store, settings, BufferBudget.forSettings(settings),
                Clock.systemUTC());
    }

    /** Opens a context per command run, from --config (or SKYFERRY_CONFIG) plus the environment. */
    static OpsContext.Factory factory(Map<String, String> env) {
        return configFile -> new ConfigOpsContext(ConfigOption.load(configFile, env, config -> List.of()), env);
    }

    @Override
    public RuleSet rules() {
        return wiring.rules();
    }

    @Override
    public List<SourceQueue> sources() {
        return wiring.config().sources().stream().map(s -> SkyferryConfig.Source.AZURE_QUEUE.equals(s.type())
                ? SourceQueue.azure(s.name(), s.account(), s.queue(), s.poisonQueueOrDefault())
                : SourceQueue.sqs(s.name(), s.queueUrl(), s.deadLetterQueueUrl())).toList();
    }

    @Override
    public ObjectStore azureContainer(String account, String container) {
        return wiring.store(StoreKind.AZURE_BLOB, account, container);
    }

    @Override
    public ObjectStore s3Bucket(String bucket) {
        return wiring.store(StoreKind.S3, null, bucket);
    }

    @Override
    public QueueClient azureQueue(String account, String queueName) {
        return wiring.azureQueue(account, queueName);
    }

    @Override
    public software.amazon.awssdk.services.sqs.SqsClient sqs() {
        return wiring.sqs();
    }

    @Override
    public String awsRegion() {
        return wiring.config().aws().region();
    }

    @Override
    public EventProcessor processor() {
        return processor;
    }

    @Override
    public void close() {
        wiring.close();
    }
}
