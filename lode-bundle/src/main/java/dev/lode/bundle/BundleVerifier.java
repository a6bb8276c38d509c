package dev.lode.bundle;

import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a packed plugin folder ({@code PLUGINS_DIR/<name>}) against its manifest: the manifest
 * parses, its signature holds (when a public key is given), the zip's size and SHA-256 match,
 * and the zip holds exactly the manifest's files, each with the listed size and SHA-256 (every
 * entry is decompressed and hashed). All problems are collected, not just the first.
 */
public final class BundleVerifier {
    /** File name of the manifest in a plugin folder. */
    public static final String MANIFEST = "manifest";

    /** File name of the manifest's signature in a plugin folder. */
    public static final String SIGNATURE = "manifest.sig";

    private BundleVerifier() {}

    /** Verifies without a signature check. */
    public static VerificationReport verify(Path pluginFolder) {
        return verify(pluginFolder, null);
    }

    /**
     * Verifies {@code pluginFolder}; with a non-null {@code publicKey}, {@code manifest.sig} must
     * exist and be that key's signature of the manifest's bytes.
     */
    public static VerificationReport verify(Path pluginFolder, PublicKey publicKey) {
        List<Problem> problems = new ArrayList<>();
        if (!Files.isDirectory(pluginFolder)) {
            throw new BundleException("not a plugin bundle folder: " + pluginFolder);
        }
        Path manifestFile = pluginFolder.resolve(MANIFEST);
        byte[] json;
        try {
            if (Files.size(manifestFile) > BundleManifest.MAX_BYTES) {
                throw new BundleException(
                        manifestFile + " is larger than " + BundleManifest.MAX_BYTES + " bytes: not a manifest");
            }
            json = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            throw new BundleException("no manifest in " + pluginFolder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifestFile + ": " + e.getMessage(), e);
        }
        if (publicKey != null) {
            Path sig = pluginFolder.resolve(SIGNATURE);
            try {
                if (Files.size(sig) > 64 * 1024) {
                    throw new IOException("larger than 64 KiB, not a signature");
                }
                byte[] s = Files.readAllBytes(sig);
                if (!Signatures.verify(publicKey, json, s)) {
                    problems.add(new Problem.BadSignature("signature: " + sig + " is not a valid "
                            + Signatures.keyType(publicKey) + " signature of " + manifestFile + " by the given key"));
                }
            } catch (NoSuchFileException e) {
                problems.add(new Problem.BadSignature("signature: " + sig + " is missing"));
            } catch (IOException e) {
                problems.add(new Problem.BadSignature("signature: cannot read " + sig + ": " + e.getMessage()));
            }
        }
        BundleManifest manifest;
        try {
            manifest = BundleManifest.parse(json);
        } catch (FormatException e) {
            problems.add(new Problem.BadManifest(manifestFile + ": " + e.getMessage()));
            return new VerificationReport(null, publicKey != null, problems);
        }
        Path zip = pluginFolder.resolve(manifest.bundle().name());
        if (!Files.isRegularFile(zip)) {
            problems.add(new Problem.BadBundle("bundle: " + zip + " is missing"));
            return new VerificationReport(manifest, publicKey != null, problems);
        }
        try {
            long size = Files.size(zip);
            if (size != manifest.bundle().size()) {
                problems.add(new Problem.BadBundle("bundle: " + zip.getFileName() + " size expected "
                        + manifest.bundle().size() + " but is " + size));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip + ": " + e.getMessage(), e);
        }
        ObjectId actual = Sha256.ofFile(zip);
        if (!actual.equals(manifest.bundle().sha256())) {
            problems.add(new Problem.BadBundle("bundle: " + zip.getFileName() + " sha256 expected "
                    + manifest.bundle().sha256() + " but is " + actual));
        }
        checkEntries(zip, manifest, problems);
        return new VerificationReport(manifest, publicKey != null, problems);
    }

    private static void checkEntries(Path zip, BundleManifest manifest, List<Problem> problems) {
        Map<String, BundleFile> expected = new HashMap<>();
        for (BundleFile f : manifest.files()) {
            expected.put(f.path(), f);
        }
        Set<String> seen = new HashSet<>();
        try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
            ZipReader reader = new ZipReader(ch, zip.getFileName().toString(), SafeUnzipper.DEFAULT_MAX_ENTRIES);
            for (ZipEntryInfo e : reader.entries()) {
                if (e.directory()) {
                    continue;
                }
                BundleFile want = expected.get(e.name());
                if (want == null) {
                    problems.add(
                            new Problem.BadFile(e.name(), "file " + e.name() + ": in the zip but not in the manifest"));
                    continue;
                }
                seen.add(e.name());
                if (e.size() != want.size()) {
                    problems.add(new Problem.BadFile(
                            e.name(),
                            "file " + e.name() + ": size expected " + want.size() + " but the zip has " + e.size()));
                    continue;
                }
                try {
                    ObjectId got = ObjectId.ofDigest(reader.copy(e, OutputStream.nullOutputStream()));
                    if (!got.equals(want.sha256())) {
                        problems.add(new Problem.BadFile(
                                e.name(),
                                "file " + e.name() + ": sha256 expected " + want.sha256() + " but is " + got));
                    }
                } catch (FormatException ex) {
                    problems.add(new Problem.BadFile(e.name(), "file " + e.name() + ": " + ex.getMessage()));
                }
            }
        } catch (FormatException e) {
            problems.add(new Problem.BadBundle("bundle: " + e.getMessage()));
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip + ": " + e.getMessage(), e);
        }
        for (BundleFile f : manifest.files()) {
            if (!seen.contains(f.path())) {
                problems.add(new Problem.BadFile(
                        f.path(), "file " + f.path() + ": in the manifest but missing from the zip"));
            }
        }
    }
}
