package dev.lode.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the {@code lode} command: a Logback context set up by {@link
 * LogConfigurator}, named to SLF4J with its {@code slf4j.provider} property by {@link Lode#main}.
 *
 * <p>Why not Logback's own provider: finding it (SLF4J's {@code ServiceLoader}) and letting it
 * configure itself (its {@code ServiceLoader} for configurators, then a search for {@code
 * logback-test.xml} that finds nothing) each look through every jar on the class path. The CLI's
 * class path has over a hundred jars, most of them the AWS SDK's, and opening them all to find
 * nothing costs a short command like {@code lode pull} tens of milliseconds at every start.
 */
public final class CliLogProvider implements SLF4JServiceProvider {
    private LoggerContext context;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    @Override
    public void initialize() {
        LoggerContext ctx = new LoggerContext();
        ctx.setName("default");
        LogConfigurator.configure(ctx, LogConfigurator.requestedLevel());
        ctx.start();
        mdc = new LogbackMDCAdapter();
        ctx.setMDCAdapter(mdc);
        markers = new BasicMarkerFactory();
        context = ctx;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
