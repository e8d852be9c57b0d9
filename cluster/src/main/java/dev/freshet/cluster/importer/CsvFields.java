package dev.freshet.cluster.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one CSV line (RFC 4180 within a line): split at commas; a field in double quotes
 * may hold commas and doubled quotes. Unquoted fields are stripped of surrounding blanks. A quoted
 * field cannot span lines: no file the importer reads needs that, and it keeps line numbers exact.
 */
final class CsvFields {

  private CsvFields() {}

  /**
   * The fields of {@code line}; a {@link BadValue} for a quote that is never closed or is followed
   * by something other than a comma.
   */
  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    int i = 0, n = line.length();
    while (true) {
      while (i < n && line.charAt(i) == ' ') i++;
      if (i < n && line.charAt(i) == '"') {
        StringBuilder field = new StringBuilder();
        int start = i++;
        while (true) {
          if (i >= n)
            throw new BadValue("the quote opened at character " + (start + 1) + " is not closed");
          char ch = line.charAt(i++);
          if (ch != '"') field.append(ch);
          else if (i < n && line.charAt(i) == '"') field.append(line.charAt(i++));
          else break;
        }
        fields.add(field.toString());
        while (i < n && line.charAt(i) == ' ') i++;
        if (i == n) return fields;
        if (line.charAt(i) != ',')
          throw new BadValue("character " + (i + 1) + " follows a quoted field; expected a comma");
        i++;
      } else {
        int comma = line.indexOf(',', i);
        int end = comma < 0 ? n : comma;
        fields.add(line.substring(i, end).strip());
        if (comma < 0) return fields;
        i = comma + 1;
      }
    }
  }
}
