package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypesTest {
    @ParameterizedTest
    @CsvSource({
        "a.png, image/png, false",
        "a.jpg, image/jpeg, false",
        "a.JPEG, image/jpeg, false",
        "a.webp, image/webp, false",
        "clip.mp4, video/mp4, false",
        "clip.webm, video/webm, false",
        "s.mp3, audio/mpeg, false",
        "s.wav, audio/wav, true",
        "s.ogg, audio/ogg, false",
        "b.zip, application/zip, false",
        "index.html, text/html, true",
        "m.glb, model/gltf-binary, false",
        "m.gltf, model/gltf+json, true",
        "t.ktx2, image/ktx2, false",
        "env.hdr, image/vnd.radiance, true",
        "env.exr, image/x-exr, false",
        "s.glsl, text/plain, true",
        "s.vert, text/plain, true",
        "s.frag, text/plain, true",
        "d.json, application/json, true",
        "t.dds, image/vnd-ms.dds, true",
        "t.basis, image/basis, false",
        "m.bin, application/octet-stream, true",
        "noext, application/octet-stream, false",
        "weird.xyz, application/octet-stream, false",
        ".hidden, application/octet-stream, false",
        "dir.d/file, application/octet-stream, false"
    })
    void extensionsMapToTheSeedsMediaTypes(String path, String mime, boolean compressible) {
        MediaType t = MediaTypes.forPath(path);
        assertThat(t.mime()).isEqualTo(mime);
        assertThat(t.compressible()).isEqualTo(compressible);
    }

    @Test
    void compressibilityByMimeIsConservativeForSharedTypes() {
        assertThat(MediaTypes.isCompressible("application/octet-stream")).isFalse();
        assertThat(MediaTypes.isCompressible("model/gltf+json")).isTrue();
        assertThat(MediaTypes.isCompressible("model/gltf-binary")).isFalse();
        assertThat(MediaTypes.isCompressible("text/x-unknown")).isTrue();
        assertThat(MediaTypes.isCompressible("video/x-unknown")).isFalse();
    }
}
