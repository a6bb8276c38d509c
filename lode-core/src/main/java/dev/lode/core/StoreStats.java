package dev.lode.core;

/**
 * Size accounting of a store.
 *
 * @param objects number of objects held
 * @param bytes sum of their sizes
 */
public record StoreStats(long objects, long bytes) {}
