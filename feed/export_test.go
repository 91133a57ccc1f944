package feed

// Readers is how many organizations' readers run.
func (b *Broker) Readers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.readers)
}
