// The nodrop binary: every verb of the CLI.
#include <iostream>

#include "cli/verb.h"

int main(int argc, char** argv) { return nodrop::cli::run(argc, argv, std::cout, std::cerr); }
