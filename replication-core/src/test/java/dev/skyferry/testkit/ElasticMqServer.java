package dev.skyferry.testkit;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import scala.Option;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * ElasticMQ (SQS) in this JVM on 127.0.0.1. The actor system and the queue manager belong to this
 * object rather than to the HTTP server, so stop/start (fault tests) keeps queues and messages.
 */
final class ElasticMqServer {

    static final String ACCOUNT_ID = "000000000000";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String region;
    private final ActorSystem actorSystem;
    private final ActorRef queueManager;
    private int port;
    private SQSRestServer server;

    ElasticMqServer(String region, int port) {
        this.region = region;
        this.port = port;
        this.actorSystem = ActorSystem.create("elasticmq");
        this.queueManager = actorSystem.actorOf(Props.create(QueueManagerActor.class,
                () -> new QueueManagerActor(new NowProvider(), StrictSQSLimits$.MODULE$, Option.empty())));
    }

    synchronized int port() {
        return port;
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        SQSRestServer started = SQSRestServerBuilder
                .withActorSystem(actorSystem)
                .withQueueManagerActor(queueManager)
                .withInterface("127.0.0.1")
                .withPort(port)
                .withAWSRegion(region)
                .withAWSAccountId(ACCOUNT_ID)
                .start();
        try {
            port = started.waitUntilStarted().localAddress().getPort();
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not start ElasticMQ on 127.0.0.1:" + port, e);
        }
        server = started;
    }

    synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stopAndWait();
        } finally {
            server = null;
        }
    }

    /** Stops the server and drops all queues. */
    synchronized void close() {
        try {
            stop();
        } finally {
            actorSystem.terminate();
            try {
                actorSystem.getWhenTerminated().toCompletableFuture().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Ignored on purpose: the HTTP port is already closed; a slow actor shutdown harms nothing.
            }
        }
    }
}
