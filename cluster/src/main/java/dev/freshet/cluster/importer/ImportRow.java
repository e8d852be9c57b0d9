package dev.freshet.cluster.importer;

/**
 * A row checked and ready to send: its line in the file, its time (events; 0 for items) and its
 * JSON object as it will stand in a batch.
 */
public record ImportRow(long line, long at, byte[] json) {}
