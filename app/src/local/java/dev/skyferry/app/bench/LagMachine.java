package dev.skyferry.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the numbers were measured on: cores, CPU model, JDK, OS. */
record LagMachine(int cores, String cpuModel, String jdk, String os) {

    static LagMachine describe() {
        String model = "unknown";
        try {
            List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
            model = cpuinfo.stream().filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(model);
        } catch (IOException e) {
            // not Linux: the model stays unknown
        }
        return new LagMachine(Runtime.getRuntime().availableProcessors(), model,
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    }

    /** The 1, 5 and 15 minute load averages: the machine is shared, so say how busy it was. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cores", cores);
        map.put("cpuModel", cpuModel);
        map.put("jdk", jdk);
        map.put("os", os);
        return map;
    }
}
