package dev.freshet.actors.user;

/**
 * Told how long each journal write of a user entity took, from the command that caused it to the
 * write being durable. The edge exports it as a histogram; the actors know nothing of Prometheus.
 */
@FunctionalInterface
public interface JournalLatency {

  JournalLatency NONE = nanos -> {};

  void record(long nanos);
}
