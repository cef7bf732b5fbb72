//! Coverage reports over a [`profile::Profile`]: LCOV, Cobertura, JSON, HTML and Markdown.
