/**
 * Fixtures for lode's tests: {@link dev.lode.testing.PostgresServer}, a real PostgreSQL started on
 * a loopback port once per test JVM. Use this module in test scope only.
 */
package dev.lode.testing;
