import {
  type Attributes,
  context,
  ProxyTracerProvider,
  propagation,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";

/** What code inside a span may do with it: add attributes (never personal data: no ids, emails, IPs). */
export interface SpanScope {
  setAttributes(attributes: Attributes): void;
}

/**
 * Runs `fn` inside a span named `name`, a child of the active span; a thrown error or a rejected
 * promise marks the span as failed and passes through. Without tracing it is a plain call.
 */
export type SpanRunner = <T>(name: string, fn: (scope: SpanScope) => T) => T;

export interface Tracing {
  /** false when no OTLP endpoint is configured: every span is a plain function call. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  readonly span: SpanRunner;
  /**
   * Makes this provider the process-wide one (tracer provider, AsyncLocalStorage context so child
   * spans and log lines find their parent, W3C trace-context propagation). main.ts only; a no-op
   * when tracing is off.
   */
  register(): void;
  /** Exports what is buffered now (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT, the collector's base URL; spans go to `<endpoint>/v1/traces`. Unset: off. */
  readonly otlpEndpoint?: string | undefined;
  /** Replaces the OTLP exporter (tests use InMemorySpanExporter); also turns tracing on. */
  readonly exporter?: SpanExporter;
}

const NOOP_SCOPE: SpanScope = { setAttributes: () => {} };
const direct: SpanRunner = (_name, fn) => fn(NOOP_SCOPE);

/** `http://collector:4318` → `http://collector:4318/v1/traces` (the OTLP/HTTP rule for the base endpoint). */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * Tracing for one service. With no endpoint (and no exporter) nothing is created: the tracer is
 * the API's no-op one and `span` calls straight through, so tracing off costs nothing. With one, a
 * TracerProvider batches spans to the OTLP/HTTP exporter. Creating it registers nothing
 * globally; main.ts calls register().
 */
export function createTracing(options: TracingOptions): Tracing {
  const exporter =
    options.exporter ??
    (options.otlpEndpoint ? new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) }) : undefined);
  if (!exporter) {
    return {
      enabled: false,
      // A provider without a delegate hands out the API's no-op tracer, whatever is registered globally.
      tracer: new ProxyTracerProvider().getTracer("riskgate"),
      span: direct,
      register: () => {},
      forceFlush: async () => {},
      shutdown: async () => {},
    };
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("riskgate");
  const span: SpanRunner = (name, fn) =>
    tracer.startActiveSpan(name, (s) => {
      const fail = (err: unknown) => {
        s.recordException(err instanceof Error ? err : String(err));
        s.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : String(err),
        });
        s.end();
      };
      try {
        const out = fn(s);
        if (out instanceof Promise) {
          return out.then(
            (v) => {
              s.end();
              return v;
            },
            (err: unknown) => {
              fail(err);
              throw err;
            },
          ) as typeof out;
        }
        s.end();
        return out;
      } catch (err) {
        fail(err);
        throw err;
      }
    });
  return {
    enabled: true,
    tracer,
    span,
    register: () => registerGlobally(provider),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * What SDK 2.x's NodeTracerProvider.register() did and SDK 3.x leaves to the caller: the global
 * provider, the AsyncLocalStorage context manager (child spans and log lines find their parent
 * across awaits) and W3C trace-context + baggage propagation.
 */
function registerGlobally(provider: TracerProvider): void {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}
