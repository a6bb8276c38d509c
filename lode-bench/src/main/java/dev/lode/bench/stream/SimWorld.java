package dev.lode.bench.stream;

import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import dev.lode.core.Sha256;
import dev.lode.stream.AssetCatalog;
import dev.lode.stream.Bounds;
import dev.lode.stream.Observer;
import dev.lode.stream.Vec3;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded world: models scattered along a closed flight path, each with three LOD variants
 * (coarse to fine) that need one shared material, which needs two shared textures.
 */
final class SimWorld {
    static final double PATH_RADIUS = 1200;
    static final double BAND = 260;
    static final int LEVELS = 3;

    record Model(int index, String path, Bounds bounds, List<String> levels) {}

    /** Modelled sizes of one catalog path. */
    record Sizes(long stored, long memory, boolean gpu) {}

    final SimConfig config;
    final List<Model> models = new ArrayList<>();
    final Map<String, Sizes> sizes = new HashMap<>();
    final Map<String, List<String>> deps = new HashMap<>();
    final AssetCatalog catalog;
    private final Map<Long, List<Model>> grid = new HashMap<>();
    private static final double CELL = 100;

    SimWorld(SimConfig c) {
        this.config = c;
        Random r = new Random(c.seed());
        List<ManifestEntry> entries = new ArrayList<>();
        for (int i = 0; i < c.textures(); i++) {
            String p = String.format("textures/t%04d.ktx2", i);
            long bytes = (512L << 10) + r.nextInt(1536 << 10);
            add(entries, p, "image/ktx2", new Sizes(bytes, bytes, true), List.of(), null, List.of("texture"));
        }
        for (int i = 0; i < c.materials(); i++) {
            String p = String.format("materials/m%04d.json", i);
            List<String> d = List.of(
                    String.format("textures/t%04d.ktx2", r.nextInt(c.textures())),
                    String.format("textures/t%04d.ktx2", r.nextInt(c.textures())));
            add(
                    entries,
                    p,
                    "application/json",
                    new Sizes(4096, 4096, false),
                    d.stream().distinct().toList(),
                    null,
                    List.of("material"));
        }
        for (int i = 0; i < c.models(); i++) {
            double a = r.nextDouble() * 2 * Math.PI;
            double off = (r.nextDouble() * 2 - 1) * BAND;
            double rad = PATH_RADIUS + off;
            Bounds b = new Bounds(Math.cos(a) * rad, r.nextDouble() * 30, Math.sin(a) * rad, 2 + r.nextDouble() * 6);
            String base = String.format("models/m%05d", i);
            String mat = String.format("materials/m%04d.json", r.nextInt(c.materials()));
            List<String> levels = new ArrayList<>();
            long fine = (512L << 10) + r.nextInt(1024 << 10);
            long[] lod = {fine / 40, fine / 6, fine};
            for (int l = 0; l < LEVELS; l++) {
                String p = base + ".lod" + l + ".glb";
                levels.add(p);
                add(entries, p, "model/gltf-binary", new Sizes(lod[l], lod[l], true), List.of(mat), null, List.of());
            }
            add(
                    entries,
                    base + ".glb",
                    "model/gltf-binary",
                    new Sizes(lod[0], lod[0], true),
                    List.of(),
                    b,
                    List.of("model"),
                    levels);
            Model m = new Model(i, base + ".glb", b, levels);
            models.add(m);
            grid.computeIfAbsent(cell(b.x(), b.z()), k -> new ArrayList<>()).add(m);
        }
        catalog = AssetCatalog.of(Manifest.of(entries, Map.of("generator", "lode stream-sim")));
    }

    private void add(
            List<ManifestEntry> out, String path, String type, Sizes s, List<String> d, Bounds b, List<String> tags) {
        add(out, path, type, s, d, b, tags, List.of());
    }

    private void add(
            List<ManifestEntry> out,
            String path,
            String type,
            Sizes s,
            List<String> d,
            Bounds b,
            List<String> tags,
            List<String> variants) {
        byte[] token = token(path);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("memSize", Long.toString(s.memory()));
        meta.put("version", "1");
        if (b != null) {
            meta.put("bounds", b.toMeta());
        }
        out.add(new ManifestEntry(path, token.length, Sha256.of(token), type, null, tags, d, variants, meta));
        sizes.put(path, s);
        deps.put(path, d);
    }

    static byte[] token(String path) {
        return ("lode-sim:" + path).getBytes(StandardCharsets.UTF_8);
    }

    private static long cell(double x, double z) {
        long cx = (long) Math.floor(x / CELL);
        long cz = (long) Math.floor(z / CELL);
        return (cx << 32) ^ (cz & 0xffffffffL);
    }

    /** Models whose centre lies within {@code radius} of {@code p} (ground plane), in index order. */
    List<Model> near(Vec3 p, double radius) {
        List<Model> out = new ArrayList<>();
        int span = (int) Math.ceil(radius / CELL);
        long cx = (long) Math.floor(p.x() / CELL);
        long cz = (long) Math.floor(p.z() / CELL);
        for (long x = cx - span; x <= cx + span; x++) {
            for (long z = cz - span; z <= cz + span; z++) {
                List<Model> ms = grid.get((x << 32) ^ (z & 0xffffffffL));
                if (ms == null) {
                    continue;
                }
                for (Model m : ms) {
                    double dx = m.bounds().x() - p.x();
                    double dz = m.bounds().z() - p.z();
                    if (dx * dx + dz * dz <= radius * radius) {
                        out.add(m);
                    }
                }
            }
        }
        out.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return out;
    }

    /** The observer at {@code seconds}: on the circle, weaving across the band, looking ahead. */
    Observer observerAt(double seconds) {
        Vec3 p = position(seconds);
        Vec3 ahead = position(seconds + 0.05);
        Vec3 v = new Vec3((ahead.x() - p.x()) / 0.05, (ahead.y() - p.y()) / 0.05, (ahead.z() - p.z()) / 0.05);
        // Look ahead, swinging the view left and right so assets enter the frustum from the sides.
        double swing = 0.5 * Math.sin(seconds * 0.7);
        Vec3 f = v.normalized();
        Vec3 fwd = new Vec3(
                f.x() * Math.cos(swing) - f.z() * Math.sin(swing),
                f.y(),
                f.x() * Math.sin(swing) + f.z() * Math.cos(swing));
        return new Observer(p, fwd, v, Math.toRadians(70), 1080);
    }

    private Vec3 position(double seconds) {
        double a = seconds * config.speed() / PATH_RADIUS;
        double weave = 120 * Math.sin(seconds * 0.21);
        double rad = PATH_RADIUS + weave;
        return new Vec3(Math.cos(a) * rad, 12 + 6 * Math.sin(seconds * 0.5), Math.sin(a) * rad);
    }
}
