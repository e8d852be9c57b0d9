package dev.freshet.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a chronological replay reads: ratings with their times ({@code user,item,rating,timestamp},
 * the timestamp in epoch seconds as MovieLens writes it) in time order, and optionally the items
 * ({@code id,title,genres} as MovieLens' movies.csv: the title may be quoted and hold commas, the
 * genres are separated by "|"; the first genre is the category, all are tags).
 */
public record ReplayData(List<Rating> ratings, Map<String, Item> items) {

  record Rating(String user, String item, double rating, long epochSeconds) {}

  record Item(String id, String category, List<String> tags) {}

  /**
   * The ratings in time order (ties: user, then item, as read) and the items, if a file is given.
   */
  public static ReplayData read(Path ratingsFile, Optional<Path> itemsFile) throws IOException {
    List<Rating> ratings = new ArrayList<>();
    forEachLine(
        ratingsFile,
        (line, f) -> {
          if (f.length != 4)
            throw new RatingsCsv.BadLine(
                ratingsFile,
                line,
                "expected user,item,rating,timestamp (a replay needs the time), got "
                    + f.length
                    + " fields");
          if (line == 1 && !isNumber(f[3])) return; // the header
          String user = f[0].strip(), item = f[1].strip();
          if (user.isEmpty() || item.isEmpty())
            throw new RatingsCsv.BadLine(ratingsFile, line, "user and item must not be empty");
          double rating = RatingsCsv.number(ratingsFile, line, "rating", f[2]);
          double at = RatingsCsv.number(ratingsFile, line, "timestamp", f[3]);
          if (at < 0 || at > 253_402_300_799L || at != Math.rint(at))
            throw new RatingsCsv.BadLine(
                ratingsFile, line, "timestamp must be whole epoch seconds, got \"" + f[3] + "\"");
          ratings.add(new Rating(user, item, rating, (long) at));
        });
    ratings.sort(
        Comparator.comparingLong(Rating::epochSeconds)
            .thenComparing(Rating::user)
            .thenComparing(Rating::item));
    Map<String, Item> items = new LinkedHashMap<>();
    if (itemsFile.isPresent()) {
      Path file = itemsFile.get();
      forEachLine(
          file,
          (line, f) -> {
            if (line == 1 && !isNumber(f[0])) return; // the header
            String id = f[0].strip();
            if (id.isEmpty() || f.length < 2)
              throw new RatingsCsv.BadLine(file, line, "expected id,title,genres");
            String genres = f[f.length - 1].strip();
            List<String> tags =
                genres.isEmpty() || genres.equals("(no genres listed)")
                    ? List.of("none")
                    : List.of(genres.split("\\|"));
            items.put(id, new Item(id, tags.get(0), tags));
          });
    }
    return new ReplayData(List.copyOf(ratings), items);
  }

  private interface Row {
    void accept(long line, String[] fields);
  }

  private static void forEachLine(Path file, Row row) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      long line = 0;
      while ((text = in.readLine()) != null) {
        line++;
        if (!text.isBlank()) row.accept(line, text.split(",", -1));
      }
    }
  }

  private static boolean isNumber(String text) {
    try {
      Double.parseDouble(text.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
