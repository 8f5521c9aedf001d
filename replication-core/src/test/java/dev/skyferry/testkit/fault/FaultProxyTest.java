package dev.skyferry.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    private HttpServer upstream;
    private FaultProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] answer = ("echo:" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        upstream.start();
        proxy = FaultProxy.inFrontOf(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.stop(0);
    }

    private HttpResponse<String> put(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                .timeout(Duration.ofSeconds(2))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsTransparentlyWhenHealthy() throws Exception {
        assertThat(put("hello").body()).isEqualTo("echo:hello");
        assertThat(proxy.faultsInjected()).isZero();
    }

    @Test
    void flipsTheMiddleByteOfTheNextRequestBodiesOnlyThenForwardsAsIs() throws Exception {
        proxy.corruptNextRequestBodies(1, 5);

        HttpResponse<String> withoutBody = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> belowTheMinimum = put("abcd");
        HttpResponse<String> corrupted = put("abcde");
        HttpResponse<String> after = put("abcde");

        assertThat(withoutBody.body()).isEqualTo("echo:");
        assertThat(belowTheMinimum.body()).isEqualTo("echo:abcd");
        assertThat(corrupted.body()).as("'c' with its lowest bit flipped").isEqualTo("echo:abbde");
        assertThat(after.body()).isEqualTo("echo:abcde");
        assertThat(proxy.faultsInjected()).isEqualTo(1);
    }

    @Test
    void answersTheNextRequestsWithTheCannedThrottleThenRecovers() throws Exception {
        proxy.failNextRequests(2, FaultProxy.CannedResponse.s3SlowDown());

        HttpResponse<String> first = put("a");
        HttpResponse<String> second = put("b");
        HttpResponse<String> third = put("c");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).contains("<Code>SlowDown</Code>");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.body()).isEqualTo("echo:c");
        assertThat(proxy.faultsInjected()).isEqualTo(2);
    }

    @Test
    void cannedAzureBusyCarriesRetryAfter() throws Exception {
        proxy.failNextRequests(1, FaultProxy.CannedResponse.azureServerBusy());

        HttpResponse<String> response = put("a");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.body()).contains("ServerBusy");
    }

    @Test
    void resetsConnectionsWhileAskedThenHeals() throws Exception {
        proxy.resetConnections(true);
        assertThatThrownBy(() -> put("a")).isInstanceOf(IOException.class);

        proxy.heal();
        assertThat(put("b").body()).isEqualTo("echo:b");
    }

    @Test
    void blackHoleNeverAnswers() {
        proxy.blackHole(true);
        assertThatThrownBy(() -> put("a")).isInstanceOf(HttpTimeoutException.class);
        assertThat(proxy.faultsInjected()).isEqualTo(1);
    }

    @Test
    void latencyStillDeliversTheBytes() throws Exception {
        proxy.latency(Duration.ofMillis(20));
        assertThat(put("slow").body()).isEqualTo("echo:slow");
    }
}
