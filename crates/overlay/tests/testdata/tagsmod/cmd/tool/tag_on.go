//go:build integration

package main

const tags = "integration"
