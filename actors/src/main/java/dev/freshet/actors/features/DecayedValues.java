package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values per key (category, tag) that decay exponentially with time, updated in O(1): each entry
 * keeps its value as of its last update and is decayed on read. Bounded: past {@code maxKeys} the
 * weakest entry (by magnitude, now) is dropped, so a user's state stays small however much they
 * browse.
 */
public final class DecayedValues {

  /** One key's value as of {@code at} (epoch ms). */
  public record Entry(double value, long at) {}

  private final Map<String, Entry> entries;

  public DecayedValues() {
    this(new HashMap<>());
  }

  @JsonCreator
  public DecayedValues(@JsonProperty("entries") Map<String, Entry> entries) {
    this.entries = new HashMap<>(entries);
  }

  @JsonProperty("entries")
  Map<String, Entry> entries() {
    return entries;
  }

  /**
   * Adds {@code delta} to {@code key} at event time {@code at}: a late event (older than the key's
   * last update) adds its delta decayed to that update's time, so the order in which events arrive
   * does not change the value.
   */
  public void add(String key, double delta, long at, long halfLifeMillis, int maxKeys) {
    Entry before = entries.get(key);
    double value =
        before == null
            ? delta
            : decayed(before, at, halfLifeMillis)
                + delta * Decay.factor(at, before.at(), halfLifeMillis);
    entries.put(key, new Entry(value, Math.max(at, before == null ? at : before.at())));
    if (entries.size() > maxKeys) evictWeakest(at, halfLifeMillis);
  }

  /** The value of {@code key} at time {@code now}; 0 if absent. */
  public double get(String key, long now, long halfLifeMillis) {
    Entry entry = entries.get(key);
    return entry == null ? 0.0 : decayed(entry, now, halfLifeMillis);
  }

  /** All values at time {@code now}, strongest first. */
  public Map<String, Double> snapshot(long now, long halfLifeMillis) {
    Map<String, Double> values = new LinkedHashMap<>();
    entries.entrySet().stream()
        .sorted(
            (a, b) ->
                Double.compare(
                    Math.abs(decayed(b.getValue(), now, halfLifeMillis)),
                    Math.abs(decayed(a.getValue(), now, halfLifeMillis))))
        .forEach(e -> values.put(e.getKey(), decayed(e.getValue(), now, halfLifeMillis)));
    return values;
  }

  /** All values at time {@code now}, divided by {@code scale}, in a map for repeated look-ups. */
  public Map<String, Double> scaled(long now, long halfLifeMillis, double scale) {
    Map<String, Double> values = new HashMap<>(entries.size() * 2);
    entries.forEach((k, e) -> values.put(k, decayed(e, now, halfLifeMillis) / scale));
    return values;
  }

  /** The largest magnitude of any value at time {@code now}; 0 when empty. */
  public double maxAbs(long now, long halfLifeMillis) {
    double max = 0;
    for (Entry e : entries.values()) max = Math.max(max, Math.abs(decayed(e, now, halfLifeMillis)));
    return max;
  }

  public int size() {
    return entries.size();
  }

  private static double decayed(Entry entry, long now, long halfLifeMillis) {
    return entry.value() * Decay.factor(entry.at(), now, halfLifeMillis);
  }

  private void evictWeakest(long now, long halfLifeMillis) {
    String weakest = null;
    double weakestMagnitude = Double.MAX_VALUE;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      double magnitude = Math.abs(decayed(e.getValue(), now, halfLifeMillis));
      if (magnitude < weakestMagnitude) {
        weakestMagnitude = magnitude;
        weakest = e.getKey();
      }
    }
    entries.remove(weakest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecayedValues other && other.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }
}
