package dev.freshet.cluster.importer;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a file, each decoded as UTF-8 on its own, so that bytes which are not UTF-8 make
 * that one line bad, named by its number (a reader decoding ahead would fail lines early, or
 * replace the bytes silently).
 */
final class Utf8Lines implements Closeable {

  /** One line: its number from 1, and its text, or null when its bytes are not UTF-8. */
  record Line(long number, String text) {}

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] buffer = new byte[256];
  private long number;

  Utf8Lines(InputStream in) {
    this.in = new BufferedInputStream(in, 1 << 16);
  }

  /** The next line without its line end (\n or \r\n), or null at the end of the file. */
  Line next() throws IOException {
    int length = 0;
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (length == buffer.length) buffer = Arrays.copyOf(buffer, length * 2);
      buffer[length++] = (byte) b;
    }
    if (b == -1 && length == 0) return null;
    if (length > 0 && buffer[length - 1] == '\r') length--;
    number++;
    try {
      return new Line(number, decoder.decode(ByteBuffer.wrap(buffer, 0, length)).toString());
    } catch (CharacterCodingException e) {
      return new Line(number, null);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
