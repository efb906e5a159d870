//! HTTP/1.1 on the framework (lecture 34).
