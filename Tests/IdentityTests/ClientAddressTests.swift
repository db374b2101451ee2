import Identity
import Testing

@Suite("Client address")
struct ClientAddressTests {
    @Test("IPv4 counts as /32, IPv6 as its /64, mapped IPv4 as IPv4")
    func networks() {
        #expect(ClientAddress("192.0.2.17")?.network == "192.0.2.17/32")
        #expect(ClientAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd")?.network == "2001:db8:1:2::/64")
        #expect(ClientAddress("2001:0DB8:0001:0002::1")?.network == "2001:db8:1:2::/64")
        #expect(ClientAddress("[2001:db8:1:2::99]")?.network == "2001:db8:1:2::/64")
        #expect(ClientAddress("fe80::1%eth0")?.network == "fe80::/64")
        #expect(ClientAddress("::ffff:198.51.100.7")?.network == "198.51.100.7/32")
        #expect(ClientAddress("::1")?.network == "::/64")
        #expect(ClientAddress("2001:db8:1:2::1") == ClientAddress("2001:db8:1:2:ffff::1"))
        #expect(ClientAddress("2001:db8:1:3::1") != ClientAddress("2001:db8:1:2::1"))
    }

    @Test("anything that is not an address is refused")
    func refusals() {
        for text in [
            "", "localhost", "192.0.2", "192.0.2.256", "192.0.2.1/24", "192.0.2.1:8080", "2001:db8::1::2", "[::1",
            "1.2.3.4 ", "gggg::1", String(repeating: "1", count: 100),
        ] {
            #expect(ClientAddress(text) == nil, "\(text)")
        }
    }
}
