package dev.freshet.cluster.importer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * MovieLens' own files, recognised by their headers. {@code ratings.csv} ({@code
 * userId,movieId,rating,timestamp}): a rating of 4 or more is a {@code like}, 3 to 3.5 a {@code
 * click}, below 3 a {@code dislike}; the timestamp is epoch seconds. {@code movies.csv} ({@code
 * movieId,title,genres}): the first genre is the category, all genres are the tags, the title an
 * attribute. Item ids are the movie ids behind a prefix ({@code ml-} by default).
 */
final class MovieLens {

  static final List<String> RATINGS = List.of("userId", "movieId", "rating", "timestamp");
  static final List<String> MOVIES = List.of("movieId", "title", "genres");

  /** MovieLens' genre of a movie without one; such a movie gets it as category and no tags. */
  private static final String NO_GENRES = "(no genres listed)";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private MovieLens() {}

  /** The interaction a rating stands for. */
  static String type(double rating) {
    if (rating >= 4) return "like";
    if (rating >= 3) return "click";
    return "dislike";
  }

  static LineReader ratings(String itemPrefix) {
    return new LineReader() {
      @Override
      public Row read(String line) {
        List<String> f = fields(line, RATINGS);
        double rating = number("rating", f.get(2));
        long seconds = seconds(f.get(3));
        ObjectNode json = NODES.objectNode();
        json.put("type", type(rating));
        json.put("userId", f.get(0));
        json.put("itemId", itemPrefix + f.get(1));
        json.put("ts", seconds * 1000);
        return new Row(
            json,
            Map.of(
                "userId", new Row.Cell("userId", f.get(0)),
                "itemId", new Row.Cell("movieId", f.get(1)),
                "ts", new Row.Cell("timestamp", f.get(3))));
      }

      @Override
      public String describe() {
        return "MovieLens ratings (rating >= 4 like, 3 to 3.5 click, below 3 dislike; item ids "
            + itemPrefix
            + "<movieId>; timestamps in epoch seconds)";
      }
    };
  }

  static LineReader movies(String itemPrefix) {
    return new LineReader() {
      @Override
      public Row read(String line) {
        List<String> f = fields(line, MOVIES);
        String[] genres = f.get(2).split("\\|");
        ObjectNode json = NODES.objectNode();
        json.put("id", itemPrefix + f.get(0));
        json.put("category", genres[0]);
        ArrayNode tags = json.putArray("tags");
        for (String genre : genres) if (!genre.equals(NO_GENRES)) tags.add(genre);
        json.putObject("attributes").put("title", f.get(1));
        return new Row(
            json,
            Map.of(
                "id", new Row.Cell("movieId", f.get(0)),
                "category", new Row.Cell("genres", f.get(2)),
                "tags", new Row.Cell("genres", f.get(2)),
                "attributes", new Row.Cell("title", f.get(1))));
      }

      @Override
      public String describe() {
        return "MovieLens movies (item ids "
            + itemPrefix
            + "<movieId>; category the first genre, tags the genres, the title an attribute)";
      }
    };
  }

  private static List<String> fields(String line, List<String> columns) {
    List<String> f = CsvFields.split(line);
    if (f.size() != columns.size())
      throw new BadValue(
          "has " + f.size() + " fields; expected " + String.join(",", columns) + " (MovieLens)");
    return f;
  }

  private static double number(String column, String text) {
    try {
      double v = Double.parseDouble(text);
      if (Double.isFinite(v)) return v;
    } catch (NumberFormatException e) {
      // told below
    }
    throw new BadValue(column + " \"" + text + "\" is not a number");
  }

  private static long seconds(String text) {
    try {
      long seconds = Long.parseLong(text);
      // beyond this, seconds overflow as milliseconds; no time the API accepts is that far
      if (Math.abs(seconds) < Long.MAX_VALUE / 1000) return seconds;
    } catch (NumberFormatException e) {
      // told below
    }
    throw new BadValue("timestamp \"" + text + "\" is not a whole number of epoch seconds");
  }
}
