/*
 * Sign/verify throughput of OpenSSL's GOST engine, for comparison with the
 * Go benchmarks of paraph/gost (bench/gost/compare.sh builds and runs it).
 * `openssl speed` in OpenSSL 3 has no GOST R 34.10-2012 signature test, so
 * this times EVP_PKEY_sign/EVP_PKEY_verify on a raw digest, the same
 * operation the Go benchmarks time.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
	fprintf(stderr, "%s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void bench(ENGINE *e, int nid, const char *name, const char *paramset, size_t dlen, double seconds) {
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(nid, e);
	EVP_PKEY *key = NULL;
	if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(kctx, "paramset", paramset) <= 0 ||
	    EVP_PKEY_keygen(kctx, &key) <= 0)
		die("keygen");
	unsigned char digest[64], sig[128];
	memset(digest, 0x5a, sizeof digest);
	size_t siglen = sizeof sig;

	EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(key, e);
	if (!sctx || EVP_PKEY_sign_init(sctx) <= 0)
		die("sign_init");
	long n = 0;
	double start = now(), t;
	do {
		siglen = sizeof sig;
		if (EVP_PKEY_sign(sctx, sig, &siglen, digest, dlen) <= 0)
			die("sign");
		n++;
	} while ((t = now() - start) < seconds);
	printf("openssl %s %s sign   %10.1f ops/s %10.1f us/op\n", name, paramset, n / t, t / n * 1e6);

	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(key, e);
	if (!vctx || EVP_PKEY_verify_init(vctx) <= 0)
		die("verify_init");
	n = 0;
	start = now();
	do {
		if (EVP_PKEY_verify(vctx, sig, siglen, digest, dlen) != 1)
			die("verify");
		n++;
	} while ((t = now() - start) < seconds);
	printf("openssl %s %s verify %10.1f ops/s %10.1f us/op\n", name, paramset, n / t, t / n * 1e6);
	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(key);
}

int main(int argc, char **argv) {
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	ENGINE_load_builtin_engines();
	ENGINE *e = ENGINE_by_id("gost");
	if (!e || !ENGINE_init(e))
		die("loading engine gost");
	ENGINE_set_default(e, ENGINE_METHOD_ALL);
	int nid256 = OBJ_txt2nid("gost2012_256"), nid512 = OBJ_txt2nid("gost2012_512");
	if (nid256 == NID_undef || nid512 == NID_undef)
		die("OBJ_txt2nid");
	bench(e, nid256, "gost2012_256", "TCA", 32, seconds);
	bench(e, nid256, "gost2012_256", "A", 32, seconds);
	bench(e, nid512, "gost2012_512", "A", 64, seconds);
	return 0;
}
