package dev.skyferry.ops;

import dev.skyferry.ack.Outcome;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.plan.Provenance;
import dev.skyferry.rule.RouteDecision;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Interim stand-in for the engine's ReplicationPipeline until it lands on main: routes with the real
 * RuleSet, skips replicas at the source, copies with Skyferry's provenance metadata. Only what ops'
 * tests rely on; the pipeline itself is tested by the engine.
 */
public final class ProvenanceCopier implements EventProcessor {

    private final RuleSet rules;
    private final Function<String, ObjectStore> azureContainers;
    private final Function<String, ObjectStore> buckets;

    public ProvenanceCopier(RuleSet rules, Function<String, ObjectStore> azureContainers, Function<String, ObjectStore> buckets) {
        this.rules = rules;
        this.azureContainers = azureContainers;
        this.buckets = buckets;
    }

    @Override
    public Outcome process(ReplicationEvent event) {
        RouteDecision decision = rules.route(event);
        if (decision instanceof RouteDecision.Rejected rejected) {
            return new Outcome.Skipped(rejected.code().label(), rejected.reason());
        }
        var route = ((RouteDecision.Routed) decision).route();
        ObjectStore source = store(route.source().store(), route.source().container());
        ObjectStore target = store(route.target().store(), route.target().container());
        try (ObjectStore.OpenObject open = source.open(route.source().key(), null, Precondition.NONE)) {
            if (open.info().attributes().userMetadata().keySet().stream().anyMatch(Provenance.REPLICA_MARKER::equalsIgnoreCase)) {
                return new Outcome.Skipped("echo-of-replica", "source is a replica");
            }
            byte[] bytes = open.content().readAllBytes();
            byte[] md5 = MessageDigest.getInstance("MD5").digest(bytes);
            Map<String, String> metadata = new HashMap<>();
            metadata.put(Provenance.REPLICA_MARKER, "1");
            metadata.put(Provenance.SOURCE_URI, source.uriOf(route.source().key()).toASCIIString());
            metadata.put(Provenance.SOURCE_ETAG, open.info().etag());
            metadata.put(Provenance.SOURCE_MD5, Base64.getEncoder().encodeToString(md5));
            metadata.put(Provenance.RULE, route.rule().name());
            ObjectAttributes attributes = open.info().attributes().withUserMetadata(metadata).withTags(Map.of());
            target.put(route.target().key(), ByteBuffer.wrap(bytes),
                    new ObjectStore.WriteSpec(attributes, bytes.length, md5, ObjectStore.TargetOptions.DEFAULTS), Precondition.NONE);
            return new Outcome.Replicated("copied", bytes.length, Duration.ZERO);
        } catch (IOException e) {
            return new Outcome.Retry("io", e.getMessage(), new UncheckedIOException(e));
        } catch (RuntimeException e) {
            return new Outcome.Retry("store", e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectStore store(StoreKind kind, String container) {
        return kind == StoreKind.AZURE_BLOB ? azureContainers.apply(container) : buckets.apply(container);
    }
}
