// Chat context: which sandbox a command means when it names none, and where a
// job reports its progress.
#ifndef SANDBOT_STORE_CHAT_H_
#define SANDBOT_STORE_CHAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

Status SetChannelDefault(Db* db, const std::string& channel, const std::string& sandbox,
                         const std::string& set_by);
// "" when the channel has none.
Status GetChannelDefault(Db* db, const std::string& channel, std::string* sandbox);
Status SetUserSandbox(Db* db, const std::string& user, const std::string& sandbox);
Status GetUserSandbox(Db* db, const std::string& user, std::string* sandbox);

struct JobReply {
  int64_t id = 0;
  int64_t job_id = 0;
  std::string transport;  // slack, mattermost, teams
  std::string url;        // response_url or incoming webhook
  int posts = 0;          // how many messages were already queued to it
  int64_t created_at = 0;
};

Status AddJobReply(Db* db, int64_t job_id, const std::string& transport, const std::string& url);
Status ListJobReplies(Db* db, int64_t job_id, std::vector<JobReply>* replies);
Status CountJobReplyPost(Db* db, int64_t reply_id);

}  // namespace sandbot

#endif  // SANDBOT_STORE_CHAT_H_
