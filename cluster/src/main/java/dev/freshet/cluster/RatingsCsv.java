package dev.freshet.cluster;

import dev.freshet.actors.learning.Interactions;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ratings file as MovieLens writes it: {@code user,item[,rating[,timestamp]]} per line, an
 * optional header line (a first line whose rating or timestamp is not a number). Users and items
 * are numbered in order of first appearance. A malformed line is an error naming the line.
 */
record RatingsCsv(
    Interactions pairs, List<String> users, List<String> items, int rows, int skipped) {

  /** A line of the file that cannot be read. */
  static final class BadLine extends RuntimeException {
    BadLine(Path file, long line, String why) {
      super(file + " line " + line + ": " + why);
    }
  }

  /**
   * Reads {@code file}; every row with a rating of at least {@code minRating} (all rows when the
   * file has no ratings) is a pair of weight 1.
   */
  static RatingsCsv read(Path file, double minRating) throws IOException {
    Map<String, Integer> users = new HashMap<>(), items = new HashMap<>();
    List<String> userIds = new ArrayList<>(), itemIds = new ArrayList<>();
    List<int[]> pairs = new ArrayList<>();
    int rows = 0, skipped = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) continue;
        String[] f = line.split(",", -1);
        if (f.length < 2 || f.length > 4)
          throw new BadLine(
              file, number, "expected user,item[,rating[,timestamp]], got " + f.length + " fields");
        if (number == 1 && isHeader(f)) continue;
        String user = f[0].strip(), item = f[1].strip();
        if (user.isEmpty() || item.isEmpty())
          throw new BadLine(file, number, "user and item must not be empty");
        double rating = f.length >= 3 ? number(file, number, "rating", f[2]) : Double.NaN;
        if (f.length == 4) number(file, number, "timestamp", f[3]);
        rows++;
        if (!Double.isNaN(rating) && rating < minRating) {
          skipped++;
          continue;
        }
        int u =
            users.computeIfAbsent(
                user,
                k -> {
                  userIds.add(k);
                  return userIds.size() - 1;
                });
        int i =
            items.computeIfAbsent(
                item,
                k -> {
                  itemIds.add(k);
                  return itemIds.size() - 1;
                });
        pairs.add(new int[] {u, i});
      }
    }
    Interactions.Builder b = Interactions.builder(userIds.size(), itemIds.size());
    for (int[] p : pairs) b.add(p[0], p[1], 1);
    return new RatingsCsv(b.build(), userIds, itemIds, rows, skipped);
  }

  private static boolean isHeader(String[] f) {
    for (int k = 2; k < f.length; k++) {
      try {
        Double.parseDouble(f[k].strip());
      } catch (NumberFormatException e) {
        return true;
      }
    }
    String first = f[0].strip().toLowerCase(java.util.Locale.ROOT);
    return first.equals("user") || first.equals("userid") || first.equals("user_id");
  }

  static double number(Path file, long line, String name, String text) {
    try {
      double v = Double.parseDouble(text.strip());
      if (Double.isFinite(v)) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadLine(file, line, name + " must be a number, got \"" + text + "\"");
  }
}
