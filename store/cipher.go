package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// newAEAD returns AES-256-GCM for key, which seals integration passwords.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext; the row's id-independent associated data binds it
// to its purpose so a sealed value cannot be replayed into another column.
func (db *DB) seal(plaintext, purpose string) ([]byte, error) {
	nonce := make([]byte, db.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return db.aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose)), nil
}

// open decrypts a value sealed by seal.
func (db *DB) open(sealed []byte, purpose string) (string, error) {
	n := db.aead.NonceSize()
	if len(sealed) < n {
		return "", fmt.Errorf("sealed value too short")
	}
	pt, err := db.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	return string(pt), err
}
