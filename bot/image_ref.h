// Image references ("name[:tag]") in Docker's reference grammar: checked
// before a build or import uploads anything, and split into the repository
// and tag the import endpoint takes apart.
#ifndef SANDBOT_BOT_IMAGE_REF_H_
#define SANDBOT_BOT_IMAGE_REF_H_

#include <string>

namespace sandbot {

// Splits "name:tag" on the last ':' after the last '/' ("localhost:5000/a"
// has no tag); the tag defaults to "latest".
void SplitRepoTag(const std::string& ref, std::string* repo, std::string* tag);
// Whether `ref` is a well-formed "name[:tag]" in Docker's reference grammar
// (lowercase path components, an optional registry host, no digest).
bool IsValidImageTag(const std::string& ref);

}  // namespace sandbot

#endif  // SANDBOT_BOT_IMAGE_REF_H_
