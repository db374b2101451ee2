import Hummingbird
import Prometheus
import Web

/// `/metrics` in the Prometheus text exposition format.
struct MetricsRoutes: Sendable {
    let registry: PrometheusCollectorRegistry

    func register(in routes: RouteTable) {
        routes.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
