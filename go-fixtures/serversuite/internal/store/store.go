// Package store is a concurrency-safe in-memory map.
package store

import (
	"cmp"
	"slices"
	"sync"
)

// Store maps ordered keys to values; safe for concurrent use.
type Store[K cmp.Ordered, V any] struct {
	mu     sync.RWMutex
	items  map[K]V
	writes int
}

// New returns an empty store.
func New[K cmp.Ordered, V any]() *Store[K, V] {
	return &Store[K, V]{items: make(map[K]V)}
}

// Get returns the value under k.
func (s *Store[K, V]) Get(k K) (V, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.items[k]
	return v, ok
}

// Put stores v under k.
func (s *Store[K, V]) Put(k K, v V) {
	s.update(func(items map[K]V) { items[k] = v })
}

// Delete removes k and reports whether it was there.
func (s *Store[K, V]) Delete(k K) bool {
	var found bool
	s.update(func(items map[K]V) {
		_, found = items[k]
		delete(items, k)
	})
	return found
}

func (s *Store[K, V]) update(f func(map[K]V)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.items)
	s.writes++
}

// Stats is a snapshot of the store's size and activity.
type Stats[K cmp.Ordered] struct {
	Keys   []K `json:"keys"`
	Writes int `json:"writes"`
}

// Stats returns the sorted keys and the number of writes so far.
func (s *Store[K, V]) Stats() Stats[K] {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]K, 0, len(s.items))
	for k := range s.items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return Stats[K]{Keys: keys, Writes: s.writes}
}

// Clear empties the store. No endpoint exposes it.
func (s *Store[K, V]) Clear() {
	s.update(func(items map[K]V) {
		for k := range items {
			delete(items, k)
		}
	})
}
