// A shared library that is not a Vikno plugin: it exports no factory.
extern "C" int vikno_test_unrelated_function() { return 42; }
