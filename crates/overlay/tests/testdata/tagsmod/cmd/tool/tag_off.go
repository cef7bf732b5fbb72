//go:build !integration

package main

const tags = "no tags"
