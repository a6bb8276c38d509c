package dev.lode.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that injects one fault into the server-to-client stream of the first
 * {@code faultyConnections} connections (-1 = all): flip one byte, stall, or cut the connection,
 * once {@code afterBytes} bytes have passed. With -1, flips repeat every {@code afterBytes} bytes.
 */
final class FaultyProxy implements AutoCloseable {
    enum Fault {
        FLIP,
        STALL,
        CUT
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final Fault fault;
    private final long afterBytes;
    private final AtomicInteger faultsLeft;
    private final boolean persistent;
    final AtomicInteger connections = new AtomicInteger();

    FaultyProxy(int targetPort, Fault fault, long afterBytes, int faultyConnections) throws IOException {
        this.targetPort = targetPort;
        this.fault = fault;
        this.afterBytes = afterBytes;
        this.faultsLeft = new AtomicInteger(faultyConnections);
        this.persistent = faultyConnections < 0;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    URI rewrite(URI uri) {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + uri.getRawPath());
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                boolean faulty = faultsLeft.get() < 0 || faultsLeft.getAndDecrement() > 0;
                Thread.ofVirtual().start(() -> pump(client, server, false));
                Thread.ofVirtual().start(() -> pump(server, client, faulty));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean faulty) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            byte[] buf = new byte[8192];
            long passed = 0;
            long next = afterBytes;
            boolean done = !faulty;
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!done && passed + n > next) {
                    int at = (int) (next - passed);
                    switch (fault) {
                        case FLIP -> buf[at] ^= 0x5A;
                        case STALL -> {
                            out.write(buf, 0, at);
                            out.flush();
                            Thread.sleep(60_000);
                            return;
                        }
                        case CUT -> {
                            out.write(buf, 0, at);
                            out.flush();
                            from.close();
                            to.close();
                            return;
                        }
                    }
                    // Persistent flips hit every afterBytes bytes, so keep-alive reuse cannot dodge them.
                    if (persistent) {
                        next += afterBytes;
                    } else {
                        done = true;
                    }
                }
                out.write(buf, 0, n);
                out.flush();
                passed += n;
            }
        } catch (IOException | InterruptedException e) {
            // connection over
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // ignore
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
