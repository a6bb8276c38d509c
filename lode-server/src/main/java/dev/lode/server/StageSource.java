package dev.lode.server;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The source of truth that auto-staging fetches a missing asset from: an HTTP URL template with
 * {@code {id}}, or a folder whose file named like the id is the asset.
 */
public sealed interface StageSource {
    /** {@code GET template.replace("{id}", id)}, answered within {@code timeout}. */
    record HttpTemplate(String template, Duration timeout) implements StageSource {
        public HttpTemplate {
            if (!template.contains("{id}")) {
                throw new IllegalArgumentException("stage URL template needs '{id}': " + template);
            }
            URI u = URI.create(template.replace("{id}", "x"));
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("stage URL template must be http(s): " + template);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("stage timeout must be positive, got " + timeout);
            }
        }
    }

    /** The file {@code dir/id}. */
    record Folder(Path dir) implements StageSource {
        public Folder {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("stage folder does not exist: " + dir);
            }
        }
    }

    /** Parses {@code --stage-from}: an http(s) URL template, else a folder. */
    static StageSource parse(String spec, Duration timeout) {
        if (spec.startsWith("http://") || spec.startsWith("https://")) {
            return new HttpTemplate(spec, timeout);
        }
        return new Folder(Path.of(spec));
    }
}
