package dev.freshet.actors.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the pool coordinator's event-sourced bookkeeping (issue 17) costs it: {@link #report} is the
 * hot path, one at-risk report as the coordinator takes it (checked, then buffered until the next
 * tick: no journal write); {@link #tick} is the tick's transition, one {@code Recorded} of {@code
 * changes} reports applied to a state with {@code atRisk} users at risk (the immutable state copies
 * its at-risk map once a tick). In the coordinator's package because both are package-private.
 *
 * <p>Run: {@code bench/run-pool.sh} (builds the jars, runs JMH with the node's jar on the class
 * path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolBookkeepingBenchmark {

  @Param({"1000", "100000"})
  int atRisk;

  @Param({"1000"})
  int changes;

  private PoolCoordinator.State state;
  private PoolCoordinator.Recorded recorded;
  private PoolCoordinator.Pending pending;
  private PoolCoordinator.RiskReport[] reports;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    List<PoolCoordinator.RiskChange> all = new ArrayList<>();
    for (int i = 0; i < atRisk; i++) {
      all.add(new PoolCoordinator.RiskChange("u-" + i, true, i % 5, 5_000, 1_765_000_000_000L + i));
    }
    state =
        PoolCoordinator.State.EMPTY.apply(new PoolCoordinator.Recorded(List.of(), all, 0, 1L), 50);
    List<PoolCoordinator.RiskChange> tick = new ArrayList<>();
    for (int i = 0; i < changes; i++) {
      // reports of users already at risk (moving them to the end) and of new ones
      String user = i % 2 == 0 ? "u-" + (i * 7 % atRisk) : "new-" + i;
      tick.add(new PoolCoordinator.RiskChange(user, true, 2, 5_001, 1_765_000_100_000L + i));
    }
    recorded = new PoolCoordinator.Recorded(List.of(), tick, 10, 2L);
    reports = new PoolCoordinator.RiskReport[4_096];
    for (int i = 0; i < reports.length; i++) {
      reports[i] =
          new PoolCoordinator.RiskReport(
              "u-" + (i % 2_000), i % 5, true, 5_000, 1_765_000_000L + i);
    }
    pending = new PoolCoordinator.Pending();
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public PoolCoordinator.Pending report() {
    PoolCoordinator.RiskReport r = reports[next++ & (reports.length - 1)];
    if (PoolCoordinator.problem(r) == null) pending.report(r);
    return pending;
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public PoolCoordinator.State tick() {
    return state.apply(recorded, 50);
  }
}
