package dev.lode.stream;

import java.util.List;

/**
 * What the glTF/GLB loader reads: the asset's structure, not its vertex data.
 *
 * @param generator the {@code asset.generator} string, empty when absent
 * @param version the {@code asset.version} string (2.0)
 * @param scenes number of scenes
 * @param nodes number of nodes
 * @param meshes number of meshes
 * @param materials number of materials
 * @param textures number of textures
 * @param accessors number of accessors
 * @param binaryBytes length of the GLB binary chunk (0 for .gltf JSON)
 * @param externalUris buffer and image URIs that point outside the file
 * @param byteLength total bytes of the file
 */
public record GltfInfo(
        String generator,
        String version,
        int scenes,
        int nodes,
        int meshes,
        int materials,
        int textures,
        int accessors,
        long binaryBytes,
        List<String> externalUris,
        long byteLength) {
    public GltfInfo {
        externalUris = List.copyOf(externalUris);
    }
}
