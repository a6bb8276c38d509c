package dev.lode.stream;

import dev.lode.core.LodeException;
import java.util.List;

/**
 * Why an asset could not be loaded. {@link #chain()} runs from the asset that was asked for to the
 * one that actually failed, e.g. {@code [models/ship.glb, materials/hull.json, textures/hull.png]}.
 */
public final class AssetLoadException extends LodeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> chain;

    AssetLoadException(List<String> chain, String reason, Throwable cause) {
        super(message(chain, reason), cause);
        this.chain = List.copyOf(chain);
    }

    /** Paths from the requested asset to the failed one. */
    public List<String> chain() {
        return chain;
    }

    /** The path that failed itself (last of the chain). */
    public String failedPath() {
        return chain.getLast();
    }

    /** The same failure seen from {@code dependant}. */
    AssetLoadException via(String dependant) {
        List<String> c = new java.util.ArrayList<>(chain.size() + 1);
        c.add(dependant);
        c.addAll(chain);
        return new AssetLoadException(c, reasonOf(this), getCause());
    }

    private static String reasonOf(AssetLoadException e) {
        String m = e.getMessage();
        int i = m.indexOf(": ");
        return i < 0 ? m : m.substring(i + 2);
    }

    private static String message(List<String> chain, String reason) {
        return "cannot load " + String.join(" → ", chain) + ": " + reason;
    }
}
