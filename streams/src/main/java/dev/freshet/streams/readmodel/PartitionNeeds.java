package dev.freshet.streams.readmodel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instants a batch will write per partitioned table. */
public final class PartitionNeeds {

  private final Map<String, List<Instant>> byTable = new LinkedHashMap<>();

  public void add(String table, long epochMillis) {
    byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(Instant.ofEpochMilli(epochMillis));
  }

  public Map<String, List<Instant>> byTable() {
    return byTable;
  }
}
