package main

// Encrypted PKCS #8 keys ("ENCRYPTED PRIVATE KEY") as OpenSSL writes them
// (openssl pkcs8 -topk8, genpkey -aes256): PBES2 of RFC 8018 with PBKDF2
// (HMAC-SHA-1/224/256/384/512) and AES-CBC. Only standard-library
// primitives are composed here; other schemes (PBES1, GOST 28147, scrypt)
// are refused with the way out.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"hash"
)

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

var (
	errWrongKeyPassword = errors.New("wrong password for the key file (PARAPH_KEY_PASSWORD or standard input)")
	errKeyScheme        = errors.New("this key file's encryption is not supported (PBES2 with AES-CBC is): decrypt with openssl pkcs8 first")
)

// maxPBKDF2Iterations keeps a crafted file from keeping the CPU busy for hours.
const maxPBKDF2Iterations = 10_000_000

// decryptPKCS8 returns the plain PKCS #8 DER inside an EncryptedPrivateKeyInfo.
func decryptPKCS8(der []byte, password string) ([]byte, error) {
	var info struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New("key file: damaged ENCRYPTED PRIVATE KEY")
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		return nil, errKeyScheme
	}
	var params struct {
		KDF, Scheme pkix.AlgorithmIdentifier
	}
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &params); err != nil || !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, errKeyScheme
	}
	var kdf struct {
		Salt       []byte
		Iterations int
		KeyLength  int                      `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil || kdf.Iterations < 1 || kdf.Iterations > maxPBKDF2Iterations {
		return nil, errKeyScheme
	}
	prf := sha1.New // the default of RFC 8018
	switch {
	case kdf.PRF.Algorithm == nil, kdf.PRF.Algorithm.Equal(oidHMACSHA1):
	case kdf.PRF.Algorithm.Equal(oidHMACSHA224):
		prf = sha256.New224
	case kdf.PRF.Algorithm.Equal(oidHMACSHA256):
		prf = sha256.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA384):
		prf = sha512.New384
	case kdf.PRF.Algorithm.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, errKeyScheme
	}
	var keyLen int
	switch {
	case params.Scheme.Algorithm.Equal(oidAES128CBC):
		keyLen = 16
	case params.Scheme.Algorithm.Equal(oidAES192CBC):
		keyLen = 24
	case params.Scheme.Algorithm.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, errKeyScheme
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize ||
		(kdf.KeyLength != 0 && kdf.KeyLength != keyLen) || len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, errKeyScheme
	}
	key, err := pbkdf2.Key(func() hash.Hash { return prf() }, password, kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, errKeyScheme
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errKeyScheme
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	// PKCS #7 padding; a wrong password almost always breaks it, and the
	// PKCS #8 parse after it catches the rest.
	n := int(plain[len(plain)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, errWrongKeyPassword
	}
	for _, b := range plain[len(plain)-n:] {
		if subtle.ConstantTimeByteEq(b, byte(n)) != 1 {
			return nil, errWrongKeyPassword
		}
	}
	return plain[:len(plain)-n], nil
}
