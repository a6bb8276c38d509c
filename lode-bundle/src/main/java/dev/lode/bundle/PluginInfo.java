package dev.lode.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a plugin folder's {@code plugin.json} says about the plugin; any field may be missing.
 * Other fields of {@code plugin.json} (name, author, ...) are the plugin's own business and are
 * ignored; the known ones must have the right types.
 *
 * @param pluginId the {@code pluginId} number, or null
 * @param version the {@code version} string, or null
 * @param minVersion the {@code minVersion} string, or null
 */
public record PluginInfo(Long pluginId, String version, String minVersion) {
    /** The name of the metadata file at the root of a plugin folder. It is not packed. */
    public static final String FILE_NAME = "plugin.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Nothing known. */
    public static final PluginInfo EMPTY = new PluginInfo(null, null, null);

    /** Reads {@code dir/plugin.json}; {@link #EMPTY} if there is none. */
    public static PluginInfo read(Path pluginDir) {
        Path file = pluginDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return EMPTY;
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BundleException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BundleException(file + " must hold a JSON object");
        }
        Long id = null;
        JsonNode n = root.get("pluginId");
        if (n != null) {
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw new BundleException(file + ": \"pluginId\" must be an integer, got " + n);
            }
            id = n.longValue();
        }
        return new PluginInfo(id, text(root, "version", file), text(root, "minVersion", file));
    }

    /** This info with each field of {@code overrides} that is set taking precedence. */
    public PluginInfo overriddenBy(PluginInfo overrides) {
        return new PluginInfo(
                overrides.pluginId != null ? overrides.pluginId : pluginId,
                overrides.version != null ? overrides.version : version,
                overrides.minVersion != null ? overrides.minVersion : minVersion);
    }

    private static String text(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw new BundleException(file + ": \"" + field + "\" must be a string, got " + n);
        }
        return n.textValue();
    }
}
