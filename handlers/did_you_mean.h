// "Did you mean …?": the closest known word to a typo, for commands, verbs,
// sandboxes, services and environments.
#ifndef SANDBOT_HANDLERS_DID_YOU_MEAN_H_
#define SANDBOT_HANDLERS_DID_YOU_MEAN_H_

#include <cstddef>
#include <string>
#include <vector>

namespace sandbot {

// The closest of `candidates` to `word` by edit distance, when close enough
// to be a plausible typo (distance <= max(1, len/3)); "" otherwise. The
// first candidate wins ties.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

// Levenshtein distance, with a swap of two adjacent characters counting as
// one edit (optimal string alignment): "wbe" is one typo away from "web".
size_t EditDistance(const std::string& a, const std::string& b);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_DID_YOU_MEAN_H_
