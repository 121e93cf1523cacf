package admin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names of the self-signed certificate files in the data directory.
const (
	SelfSignedCertFile = "admin-cert.pem"
	SelfSignedKeyFile  = "admin-key.pem"
)

// selfSignedValidity is the lifetime of a generated certificate. It is long
// because the fingerprint is what admins check, and renewal would change it.
const selfSignedValidity = 10 * 365 * 24 * time.Hour

// IsLoopbackAddr reports whether a listen address ("host:port") binds only
// to the local machine: 127.0.0.0/8, ::1 or "localhost". An empty host
// (all interfaces) is not loopback.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// TLSConfig returns the TLS configuration of the admin listener at addr.
// For a loopback address it returns nil (plain HTTP). Otherwise it loads
// certFile and keyFile when both are given, or else loads — generating it on
// first use — a self-signed ECDSA P-256 certificate kept in dataDir. The
// fingerprint is the SHA-256 of the certificate (colon-separated hex), to
// print so that admins can check what their browser shows.
func TLSConfig(addr, certFile, keyFile, dataDir string) (*tls.Config, string, error) {
	if IsLoopbackAddr(addr) {
		return nil, "", nil
	}
	if (certFile == "") != (keyFile == "") {
		return nil, "", errors.New("admin TLS: give both --admin-tls-cert and --admin-tls-key, or neither")
	}
	if certFile == "" {
		certFile = filepath.Join(dataDir, SelfSignedCertFile)
		keyFile = filepath.Join(dataDir, SelfSignedKeyFile)
		if err := ensureSelfSigned(addr, certFile, keyFile, time.Now()); err != nil {
			return nil, "", err
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, "", fmt.Errorf("loading admin TLS certificate: %w", err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, Fingerprint(sum[:]), nil
}

// Fingerprint formats a digest as upper-case hex pairs joined by colons.
func Fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// ensureSelfSigned keeps a valid existing pair, or writes a new one.
func ensureSelfSigned(addr, certFile, keyFile string, now time.Time) error {
	if pair, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		if leaf, err := x509.ParseCertificate(pair.Certificate[0]); err == nil && now.Before(leaf.NotAfter.Add(-24*time.Hour)) {
			return nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("loading self-signed admin certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating admin TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return fmt.Errorf("generating serial: %w", err)
	}
	hostname, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "kiosk admin " + hostname, Organization: []string{"kiosk"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	tmpl.DNSNames, tmpl.IPAddresses = certNames(addr, hostname)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("creating admin certificate: %w", err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding admin TLS key: %w", err)
	}
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})); err != nil {
		return fmt.Errorf("writing admin TLS key: %w", err)
	}
	if err := writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return fmt.Errorf("writing admin certificate: %w", err)
	}
	return nil
}

// certNames lists the names a self-signed certificate covers: the host
// name, "localhost", the listen address, or every interface address when
// listening on all of them.
func certNames(addr, hostname string) ([]string, []net.IP) {
	dns := []string{"localhost"}
	if hostname != "" {
		dns = append(dns, hostname)
	}
	var ips []net.IP
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
		return dns, append(ips, ip)
	} else if host != "" && ip == nil {
		dns = append(dns, host)
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
				ips = append(ips, n.IP)
			}
		}
	}
	return dns, ips
}
