package io.parley.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * What the server side spends during one benchmark step: CPU time of Parley's JVM, of every
 * PostgreSQL process and of Redis, read from {@code /proc/PID/stat} (utime + stime + cutime +
 * cstime, in clock ticks of 10 ms; see proc(5)), and the bytes Parley's JVM allocated, from a
 * JFR recording of {@code jdk.ThreadAllocationStatistics} started and stopped with {@code jcmd}
 * around the step (bench/allocation.jfc: that one event, at each chunk's start and end).
 * {@code parley_jit} is the part of Parley's CPU spent by the JVM's JIT compiler threads.
 *
 * <p>{@link #start} before the step, {@link #stop} after it; {@link #report} turns the
 * difference into {@code {cpu_ms: {parley, postgres, redis, total, parley_jit}, wall_s, server_cpu_share,
 * cpu_us_per_message, cpu_us_per_delivery, alloc_bytes, alloc_bytes_per_message}}. A server pid
 * of 0 (none given) measures nothing and reports an empty object.
 */
final class ServerCost {
  private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

  private final long pid;
  private final Path jfc;
  private final Path dir;
  private Map<String, Long> cpuAtStart = Map.of();
  private Map<String, Long> cpuAtStop = Map.of();
  private long startNanos;
  private long stopNanos;
  private long allocated = -1;
  private int recording;

  private final String keepAs;

  ServerCost(long pid) throws IOException {
    this(pid, null);
  }

  /**
   * With {@code keepAs} (a path without extension) the step is recorded with JFR's "profile"
   * settings (CPU samples, allocations, locks) and the recording kept as {@code keepAs.jfr},
   * for bench/hot_methods.py; the allocation figure comes from the same recording.
   */
  ServerCost(long pid, String keepAs) throws IOException {
    this.pid = pid;
    this.keepAs = keepAs;
    this.dir = Files.createTempDirectory("parley-cost");
    Path settings = Path.of("bench/allocation.jfc");
    this.jfc = Files.exists(settings) ? settings.toAbsolutePath() : null;
  }

  void start() {
    if (pid <= 0) {
      return;
    }
    recording++;
    if (keepAs != null) {
      jcmd("JFR.start", "name=cost" + recording, "settings=profile");
    } else if (jfc != null) {
      jcmd("JFR.start", "name=cost" + recording, "settings=" + jfc);
    }
    startNanos = System.nanoTime();
    cpuAtStart = cpuTicks();
  }

  void stop() {
    if (pid <= 0) {
      return;
    }
    cpuAtStop = cpuTicks();
    stopNanos = System.nanoTime();
    allocated = -1;
    if (jfc != null || keepAs != null) {
      Path file = keepAs != null ? Path.of(keepAs + "-" + recording + ".jfr").toAbsolutePath() : dir.resolve("cost" + recording + ".jfr");
      jcmd("JFR.stop", "name=cost" + recording, "filename=" + file);
      allocated = allocatedBytes(file);
      if (keepAs == null) {
        file.toFile().delete();
      }
    }
  }

  /** The step's cost; {@code stored} messages were stored (acked), {@code delivered} deliveries made. */
  JsonObject report(long stored, long delivered) {
    if (pid <= 0) {
      return new JsonObject();
    }
    JsonObject cpu = new JsonObject();
    double total = 0;
    for (String group : List.of("parley", "postgres", "redis")) {
      double ms = (cpuAtStop.getOrDefault(group, 0L) - cpuAtStart.getOrDefault(group, 0L)) * TICK_MS;
      cpu.put(group, ms);
      total += ms;
    }
    cpu.put("total", total);
    // part of parley's: its JIT compiler threads, busy for a minute or more after start on one CPU
    cpu.put("parley_jit", (cpuAtStop.getOrDefault("parley_jit", 0L) - cpuAtStart.getOrDefault("parley_jit", 0L)) * TICK_MS);
    double wallS = (stopNanos - startNanos) / 1e9;
    return new JsonObject().put("cpu_ms", cpu).put("wall_s", wallS)
        .put("server_cpu_share", total / 1000.0 / wallS) // 1.0 = one core busy the whole step
        .put("cpu_us_per_message", stored > 0 ? total * 1000 / stored : null)
        .put("cpu_us_per_delivery", delivered > 0 ? total * 1000 / delivered : null)
        .put("alloc_bytes", allocated)
        .put("alloc_bytes_per_message", allocated >= 0 && stored > 0 ? allocated / (double) stored : null);
  }

  /** CPU ticks per group: this server's JVM, all postgres processes, all redis-server processes. */
  private Map<String, Long> cpuTicks() {
    Map<String, Long> ticks = new HashMap<>();
    ticks.put("parley", ticksOf(pid));
    ticks.put("parley_jit", compilerTicks(pid));
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
        String comm;
        try {
          comm = Files.readString(p.resolve("comm")).trim();
        } catch (IOException e) {
          return; // exited meanwhile
        }
        String group = comm.equals("postgres") ? "postgres" : comm.equals("redis-server") ? "redis" : null;
        if (group != null) {
          ticks.merge(group, ticksOf(Long.parseLong(p.getFileName().toString())), Long::sum);
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return ticks;
  }

  /** utime + stime of the JVM's JIT compiler threads ("C1 CompilerThre…", "C2 CompilerThre…" in /proc/PID/task/TID/comm). */
  private static long compilerTicks(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return tasks.mapToLong(t -> {
        try {
          String comm = Files.readString(t.resolve("comm"));
          if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) {
            return 0;
          }
          String[] f = statFields(t.resolve("stat"));
          return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
          return 0; // the thread ended meanwhile
        }
      }).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  /** utime + stime + cutime + cstime of one process (fields 14-17 of /proc/PID/stat), 0 if gone. */
  private static long ticksOf(long pid) {
    try {
      String[] f = statFields(Path.of("/proc/" + pid + "/stat"));
      return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The fields of a proc(5) stat file after the command name: f[0] is field 3 (state), f[11] field 14 (utime). */
  private static String[] statFields(Path stat) throws IOException {
    String text = Files.readString(stat);
    return text.substring(text.lastIndexOf(')') + 2).split(" ");
  }

  private void jcmd(String... command) {
    String[] args = new String[command.length + 2];
    args[0] = "jcmd";
    args[1] = String.valueOf(pid);
    System.arraycopy(command, 0, args, 2, command.length);
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      throw new IllegalStateException("jcmd failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sum over threads of (last - first) jdk.ThreadAllocationStatistics.allocated; -1 if unreadable. */
  private static long allocatedBytes(Path file) {
    Map<Long, long[]> perThread = new HashMap<>(); // thread id → {first, last}
    try {
      for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
        if (!e.getEventType().getName().equals("jdk.ThreadAllocationStatistics") || e.getThread("thread") == null) {
          continue;
        }
        long bytes = e.getLong("allocated");
        perThread.merge(e.getThread("thread").getJavaThreadId(), new long[] {bytes, bytes},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
    } catch (IOException e) {
      return -1;
    }
    return perThread.values().stream().mapToLong(v -> v[1] - v[0]).sum();
  }
}
