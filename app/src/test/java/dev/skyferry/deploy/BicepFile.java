package dev.skyferry.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small structural reader for the Bicep files in deploy/azure: parameters, variables, resources
 * and modules, and the text of their bodies. No Bicep compiler is installable here without
 * downloading a binary at run time, so this checks what the templates say, not that they compile;
 * {@code az bicep build} is the real check (deploy/README.md).
 */
final class BicepFile {

    record Param(String name, String type, String defaultValue) {}

    /** A resource or module declaration; {@code type} is the resource type or the module path. */
    record Declaration(String keyword, String symbol, String type, String apiVersion, boolean existing, String body) {}

    private static final Pattern PARAM = Pattern.compile("^param\\s+(\\w+)\\s+(\\w+)(?:\\s*=\\s*)?", Pattern.MULTILINE);
    private static final Pattern VAR = Pattern.compile("^var\\s+(\\w+)\\s*=\\s*", Pattern.MULTILINE);
    private static final Pattern DECLARATION = Pattern.compile(
            "^(resource|module)\\s+(\\w+)\\s+'([^'@]+)(?:@([^']+))?'(\\s+existing)?\\s*=\\s*", Pattern.MULTILINE);

    final Path path;
    final String text;
    final Map<String, Param> params = new LinkedHashMap<>();
    final Map<String, String> vars = new LinkedHashMap<>();
    final List<Declaration> declarations = new ArrayList<>();

    private BicepFile(Path path, String source) {
        this.path = path;
        this.text = stripComments(source);
        Matcher p = PARAM.matcher(text);
        while (p.find()) {
            String rest = text.substring(p.end());
            boolean hasDefault = text.substring(p.start(), p.end()).contains("=");
            params.put(p.group(1), new Param(p.group(1), p.group(2), hasDefault ? expression(rest) : null));
        }
        Matcher v = VAR.matcher(text);
        while (v.find()) {
            vars.put(v.group(1), expression(text.substring(v.end())));
        }
        Matcher d = DECLARATION.matcher(text);
        while (d.find()) {
            declarations.add(new Declaration(d.group(1), d.group(2), d.group(3), d.group(4), d.group(5) != null,
                    expression(text.substring(d.end()))));
        }
    }

    static BicepFile read(Path path) {
        return new BicepFile(path, DeployFiles.read(path));
    }

    Declaration declaration(String symbol) {
        return declarations.stream().filter(d -> d.symbol().equals(symbol)).findFirst()
                .orElseThrow(() -> new AssertionError(path + ": no resource or module '" + symbol + "'"));
    }

    List<Declaration> resources(String type) {
        return declarations.stream().filter(d -> d.keyword().equals("resource") && d.type().equals(type)).toList();
    }

    String stringParamDefault(String name) {
        Param param = params.get(name);
        if (param == null || param.defaultValue() == null) {
            throw new AssertionError(path + ": no param '" + name + "' with a default");
        }
        return unquote(param.defaultValue());
    }

    /**
     * The expression after {@code key:} in a body (first occurrence at any depth), or null.
     * Bodies are compared as text, so callers ask for a nested key by chaining calls.
     */
    static String property(String body, String key) {
        Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(key) + ":\\s*").matcher(body);
        return m.find() ? expression(body.substring(m.end())) : null;
    }

    /** Every {@code key: value} at any depth of a body, in order. */
    static List<String> properties(String body, String key) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(key) + ":\\s*").matcher(body);
        while (m.find()) {
            values.add(expression(body.substring(m.end())));
        }
        return values;
    }

    /** The top-level {@code {...}} objects of an array expression, string literals skipped. */
    static List<String> objects(String arrayExpression) {
        List<String> objects = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        for (int i = 0; i < arrayExpression.length(); i++) {
            char c = arrayExpression.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    inString = false;
                }
            } else if (c == '\'') {
                inString = true;
            } else if (c == '{' || c == '[' || c == '(') {
                if (c == '{' && depth == 1) {
                    start = i;
                }
                depth++;
            } else if (c == '}' || c == ']' || c == ')') {
                depth--;
                if (c == '}' && depth == 1 && start >= 0) {
                    objects.add(arrayExpression.substring(start, i + 1));
                    start = -1;
                }
            }
        }
        return objects;
    }

    /** The string literals of an array expression like {@code ['a', 'b']} (one per line or comma separated). */
    static List<String> stringLiterals(String expression) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'").matcher(expression);
        while (m.find()) {
            values.add(m.group(1).replace("\\'", "'"));
        }
        return values;
    }

    static String unquote(String expression) {
        String trimmed = expression.trim();
        if (trimmed.length() < 2 || !trimmed.startsWith("'") || !trimmed.endsWith("'")) {
            throw new AssertionError("not a string literal: " + expression);
        }
        return trimmed.substring(1, trimmed.length() - 1).replace("\\'", "'");
    }

    /**
     * One expression from the start of {@code text}: up to the end of the line, or past the end of
     * the bracket it opens ({...}, [...], (...)), skipping string literals.
     */
    static String expression(String text) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '\'' -> inString = true;
                case '{', '[', '(' -> depth++;
                case '}', ']', ')' -> {
                    depth--;
                    if (depth < 0) {
                        return text.substring(0, i).trim();
                    }
                }
                case '\n' -> {
                    if (depth == 0) {
                        return text.substring(0, i).trim();
                    }
                }
                case ',' -> {
                    if (depth == 0) {
                        return text.substring(0, i).trim();
                    }
                }
                default -> { }
            }
        }
        return text.trim();
    }

    /** Removes // and /* *\/ comments outside string literals, keeping line breaks. */
    static String stripComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        boolean inString = false;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < source.length()) {
                    out.append(source.charAt(++i));
                } else if (c == '\'') {
                    inString = false;
                }
            } else if (c == '\'') {
                inString = true;
                out.append(c);
            } else if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '/') {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
