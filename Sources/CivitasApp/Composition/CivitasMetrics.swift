import Metrics
public import Prometheus

/// The node's Prometheus registry, installed once per process as the swift-metrics backend.
///
/// swift-metrics allows one backend per process; routing every metric (Hummingbird's request metrics, the
/// database pool's, each block's own) into this registry is what `/metrics` exposes.
public enum CivitasMetrics {
    /// The registry `/metrics` renders.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
