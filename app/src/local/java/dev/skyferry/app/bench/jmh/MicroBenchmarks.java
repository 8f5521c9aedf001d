package dev.skyferry.app.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./bench jmh [--out docs/bench]}: the JMH benchmarks of this package, one fork each, with
 * JMH's JSON in {@code jmh.json} and a summary on stdout (checksums in GB/s, parsing in µs per message).
 * About five minutes on 2 cores.
 */
public final class MicroBenchmarks {

    private MicroBenchmarks() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("docs", "bench");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; usage: ./bench jmh [--out DIR]");
            }
        }
        Files.createDirectories(out);
        Path json = out.resolve("jmh.json");
        Options options = new OptionsBuilder()
                .include(MicroBenchmarks.class.getPackageName() + "\\.")
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .resultFormat(ResultFormatType.JSON).result(json.toString())
                .build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        for (RunResult result : results) {
            var params = result.getParams();
            var score = result.getPrimaryResult();
            String name = params.getBenchmark().substring(MicroBenchmarks.class.getPackageName().length() + 1);
            String readSize = params.getParam("readSize");
            if (readSize != null) {
                // ChecksumBenchmark counts one operation per byte.
                System.out.printf(Locale.ROOT, "jmh: %-40s reads of %8s bytes  %6.2f GB/s (± %.2f)%n", name, readSize,
                        score.getScore() / 1e9, score.getScoreError() / 1e9);
            } else {
                System.out.printf(Locale.ROOT, "jmh: %-40s %8.2f µs per message (± %.2f)%n", name, score.getScore(),
                        score.getScoreError());
            }
        }
        System.out.println("jmh: wrote " + json);
    }
}
