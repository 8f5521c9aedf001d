package dev.skyferry.app.bench;

import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rclone as the peer: {@code rclone copy} of a source prefix into an empty target, run under
 * {@code bash -c '...; times'} so the CPU of rclone's process (the shell's children) is measured.
 */
final class Rclone {

    private static final Pattern CHILD_TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*$");

    /** One run: wall seconds of the whole command (start, listing, copies, exit) and rclone's CPU seconds. */
    record Run(double seconds, double cpuSeconds) {}

    private final Path config;
    private final Path log;

    private Rclone(Path config, Path log) {
        this.config = config;
        this.log = log;
    }

    /** Writes an rclone config with remotes {@code az} (Azurite) and {@code s3} (S3Proxy) for these endpoints. */
    static Rclone configure(StoreEndpoints endpoints, Path file, Path log) throws IOException {
        Files.writeString(file, String.join("\n",
                "[az]",
                "type = azureblob",
                "sas_url = " + endpoints.blobEndpoint() + "?" + accountSas(endpoints),
                "",
                "[s3]",
                "type = s3",
                "provider = Other",
                "access_key_id = " + endpoints.awsAccessKeyId(),
                "secret_access_key = " + endpoints.awsSecretAccessKey(),
                "region = " + endpoints.awsRegion(),
                "endpoint = " + endpoints.s3Endpoint(),
                "force_path_style = true",
                ""));
        return new Rclone(file, log);
    }

    /**
     * rclone 1.60's azureblob backend builds {@code https://<account>.<endpoint>} from account and key, or
     * uses the emulator's fixed port 10000; only a SAS URL takes any address. So rclone gets an account SAS
     * (signed with the same key) for the emulator's real port, or the counting proxy's.
     */
    private static String accountSas(StoreEndpoints endpoints) {
        var values = new AccountSasSignatureValues(OffsetDateTime.now().plusDays(1),
                AccountSasPermission.parse("rwdlacup"), AccountSasService.parse("b"), AccountSasResourceType.parse("sco"));
        return endpoints.blobService().generateAccountSas(values);
    }

    /** Installs the Debian package when rclone is missing; returns {@code rclone version}'s first line. */
    static String ensureInstalled() throws IOException, InterruptedException {
        if (run(List.of("bash", "-c", "command -v rclone")).exitCode != 0) {
            System.out.println("bench: installing rclone (apt-get install -y rclone)...");
            String sudo = "0".equals(run(List.of("id", "-u")).output.trim()) ? "" : "sudo ";
            Result install = run(List.of("bash", "-c", sudo + "apt-get install -y rclone"));
            if (install.exitCode != 0) {
                throw new IllegalStateException("could not install rclone:\n" + install.output);
            }
        }
        return run(List.of("rclone", "version")).output.lines().findFirst().orElse("rclone (unknown version)");
    }

    /**
     * {@code rclone copy from to} with {@code transfers} concurrent transfers (and as many checkers).
     *
     * @param extra further flags (chunk sizes for the large object)
     */
    Run copy(String from, String to, int transfers, List<String> extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("rclone", "--config", config.toString(), "copy", from, to,
                "--transfers", Integer.toString(transfers), "--checkers", Integer.toString(transfers),
                "--log-level", "NOTICE", "--log-file", log.toString()));
        command.addAll(extra);
        // rclone 1.60's S3 backend refuses AWS_CA_BUNDLE with a plain-HTTP endpoint; unset for this command only.
        String script = "unset AWS_CA_BUNDLE; " + shellQuote(command) + "; status=$?; times; exit $status";
        long started = System.nanoTime();
        Result result = run(List.of("bash", "-c", script));
        double seconds = (System.nanoTime() - started) / 1e9;
        if (result.exitCode != 0) {
            throw new IllegalStateException("rclone failed (" + result.exitCode + "):\n" + result.output + "\nlog: " + log);
        }
        Matcher times = CHILD_TIMES.matcher(result.output.strip());
        if (!times.find()) {
            throw new IllegalStateException("no CPU times in the output of bash's times:\n" + result.output);
        }
        double cpu = Integer.parseInt(times.group(1)) * 60 + Double.parseDouble(times.group(2))
                + Integer.parseInt(times.group(3)) * 60 + Double.parseDouble(times.group(4));
        return new Run(seconds, cpu);
    }

    private static String shellQuote(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append(line.isEmpty() ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        return new Result(process.waitFor(), output);
    }
}
