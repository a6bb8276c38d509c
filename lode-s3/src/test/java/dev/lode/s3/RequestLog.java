package dev.lode.s3;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Records the name of every S3 operation the client sends (e.g. "PutObject", "HeadObject"). */
final class RequestLog implements ExecutionInterceptor {
    private final List<String> operations = new CopyOnWriteArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String name = context.request().getClass().getSimpleName();
        operations.add(name.endsWith("Request") ? name.substring(0, name.length() - "Request".length()) : name);
    }

    List<String> operations() {
        return List.copyOf(operations);
    }

    long count(String operation) {
        return operations.stream().filter(operation::equals).count();
    }

    void clear() {
        operations.clear();
    }
}
