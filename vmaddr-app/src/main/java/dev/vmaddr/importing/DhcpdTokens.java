package dev.vmaddr.importing;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * ISC dhcpd's configuration and lease file syntax, as tokens: words, quoted strings (with the octal
 * and backslash escapes dhcpd writes in {@code uid} and names), and the punctuation {@code { } ; ,}.
 * {@code #} starts a comment to the end of the line. Each token knows its line.
 */
final class DhcpdTokens {
    enum Kind { WORD, STRING, OPEN, CLOSE, SEMI, COMMA, END }

    record Token(Kind kind, String text, int line) {}

    private final String file;
    private final BufferedReader in;
    private int line = 1;
    private int pending = -2; // -2: nothing read ahead
    private Token peeked;

    DhcpdTokens(String file, BufferedReader in) {
        this.file = file;
        this.in = in;
    }

    String file() {
        return file;
    }

    Token peek() throws IOException {
        if (peeked == null) {
            peeked = read();
        }
        return peeked;
    }

    Token next() throws IOException {
        Token t = peek();
        peeked = null;
        return t;
    }

    /** The next token, which must be of {@code kind}. */
    Token expect(Kind kind, String what) throws IOException {
        Token t = next();
        if (t.kind() != kind) {
            throw error(t, "expected " + what + ", found " + describe(t));
        }
        return t;
    }

    ImportFormatException error(Token at, String problem) {
        return new ImportFormatException(file, at.line(), problem);
    }

    static String describe(Token t) {
        return switch (t.kind()) {
            case END -> "the end of the file";
            case STRING -> "\"" + t.text() + "\"";
            default -> "'" + t.text() + "'";
        };
    }

    private int readChar() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    private Token read() throws IOException {
        int c;
        while (true) {
            c = readChar();
            if (c == '\n') {
                line++;
            } else if (c == '#') {
                while ((c = readChar()) != -1 && c != '\n') {
                    // comment
                }
                if (c == '\n') {
                    line++;
                }
            } else if (c == -1 || !Character.isWhitespace(c)) {
                break;
            }
        }
        int at = line;
        switch (c) {
            case -1:
                return new Token(Kind.END, "", at);
            case '{':
                return new Token(Kind.OPEN, "{", at);
            case '}':
                return new Token(Kind.CLOSE, "}", at);
            case ';':
                return new Token(Kind.SEMI, ";", at);
            case ',':
                return new Token(Kind.COMMA, ",", at);
            case '"':
                return new Token(Kind.STRING, string(at), at);
            default:
                StringBuilder w = new StringBuilder();
                w.append((char) c);
                while ((c = readChar()) != -1 && !Character.isWhitespace(c) && c != '{' && c != '}' && c != ';' && c != ','
                        && c != '"' && c != '#') {
                    w.append((char) c);
                }
                pending = c;
                return new Token(Kind.WORD, w.toString(), at);
        }
    }

    /** A quoted string's characters, escapes resolved (each char one byte: {@code \001} is char 1). */
    private String string(int at) throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = readChar()) != '"') {
            if (c == -1) {
                throw new ImportFormatException(file, at, "a string that starts here never ends");
            }
            if (c == '\n') {
                line++;
            }
            if (c == '\\') {
                c = readChar();
                if (c >= '0' && c <= '7') {
                    int v = c - '0';
                    for (int i = 0; i < 2; i++) {
                        int d = readChar();
                        if (d < '0' || d > '7') {
                            throw new ImportFormatException(file, line, "bad octal escape in a string");
                        }
                        v = v * 8 + (d - '0');
                    }
                    c = v & 0xff;
                } else if (c == 'n') {
                    c = '\n';
                } else if (c == 't') {
                    c = '\t';
                } else if (c == -1) {
                    throw new ImportFormatException(file, at, "a string that starts here never ends");
                }
            }
            s.append((char) c);
        }
        return s.toString();
    }
}
