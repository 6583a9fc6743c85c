/** About fifty tags of a DevOps-like site, most popular first. */
export const TAGS: readonly string[] = [
  "docker",
  "kubernetes",
  "jenkins",
  "aws",
  "ansible",
  "terraform",
  "continuous-integration",
  "docker-compose",
  "azure-devops",
  "gitlab",
  "linux",
  "deployment",
  "git",
  "jenkins-pipeline",
  "github-actions",
  "helm",
  "amazon-ec2",
  "azure",
  "google-cloud-platform",
  "continuous-delivery",
  "bash",
  "python",
  "nginx",
  "monitoring",
  "prometheus",
  "amazon-s3",
  "aws-lambda",
  "amazon-ecs",
  "powershell",
  "configuration-management",
  "infrastructure-as-code",
  "cloudformation",
  "logging",
  "grafana",
  "elasticsearch",
  "security",
  "networking",
  "microservices",
  "containers",
  "puppet",
  "chef",
  "saltstack",
  "vagrant",
  "packer",
  "openshift",
  "minikube",
  "teamcity",
  "circleci",
  "hashicorp-vault",
  "build-automation",
  "testing",
];

/** Everyday words for prose in titles and bodies. */
export const WORDS: readonly string[] = (
  "the a an my our this that it is are was be have has do does can should would not how why " +
  "when where which what to from with without into on in of for after before between each all " +
  "only also still then so but if because while again every new old same other first last " +
  "way problem issue error question answer example approach solution setup step version file " +
  "folder path value variable setting option change update run start stop fail work use need " +
  "want try expect see get set create delete add remove copy move install configure deploy " +
  "build test release merge push pull restart scale check log output input fast slow simple"
).split(" ");

/** Technical nouns that give the prose its subject matter. */
export const TECH_WORDS: readonly string[] = (
  "container image registry pipeline job stage agent runner node pod cluster namespace service " +
  "ingress volume secret config manifest chart playbook inventory role module provider state " +
  "backend bucket instance subnet firewall load-balancer certificate proxy webhook artifact " +
  "branch commit tag repository daemon socket port process environment workspace template"
).split(" ");

/** Inline code fragments, several of which need JSON escaping (quotes, backslashes). */
export const INLINE_CODE: readonly string[] = [
  "kubectl get pods -n kube-system",
  "docker build -t app:latest .",
  "terraform plan -out=tfplan",
  "ansible-playbook -i hosts site.yml",
  "C:\\Program Files\\Docker\\Docker",
  "C:\\Users\\build\\.kube\\config",
  'echo "$HOME"',
  "^v\\d+\\.\\d+\\.\\d+$",
  "sed -e 's/\\t/ /g'",
  "docker-compose.yml",
  "~/.ssh/id_rsa",
  "/var/run/docker.sock",
  "git push origin main --force-with-lease",
  '{"key": "value"}',
  "&lt;none&gt;",
  "$(pwd)",
];

/** Lines for code blocks; several contain HTML entities, quotes or backslashes. */
export const CODE_LINES: readonly string[] = [
  "FROM node:20-alpine",
  "WORKDIR /app",
  "RUN apt-get update &amp;&amp; apt-get install -y curl",
  "COPY package*.json ./",
  'CMD ["node", "server.js"]',
  "apiVersion: apps/v1",
  "kind: Deployment",
  "  replicas: 3",
  "    image: registry.example.com/app:1.4.2",
  'resource "aws_s3_bucket" "logs" {',
  '  bucket = "my-logs-${var.env}"',
  "}",
  "- name: Install packages",
  "  apt: name={{ item }} state=present",
  "$ kubectl describe pod web-7d9c",
  "Error: ImagePullBackOff",
  'printf "%s\\n" "$VAR"',
  "Get-ChildItem -Path C:\\logs\\*.txt",
  "pipeline {",
  "  agent any",
  "  stages { stage('Build') { steps { sh 'make' } } }",
  'for f in *.log; do gzip "$f"; done',
  "error: failed to push some refs to 'git@example.com:org/repo.git'",
  "    at Object.&lt;anonymous&gt; (/app/index.js:12:5)",
  '\tstatus = "running"',
  '\t\treturn fmt.Errorf("deploy %s: %w", name, err)',
  '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}',
  'New-Item -ItemType Directory -Path "C:\\agent\\_work\\1\\s"',
  "grep -E '^[0-9]+\\.[0-9]+' versions.txt | sort -V",
  'if [[ "$BRANCH" == "main" ]]; then',
  '    echo "deploying to prod" &gt;&gt; deploy.log',
  "fi",
  "  - &quot;8080:80&quot;",
  "ERROR: for web  Cannot start service web: driver failed programming external connectivity",
  "2021-03-04T10:22:31.123Z\tINFO\tstarting worker pool size=8",
];

/** Links as they appear in post bodies, with the dump's rel attribute. */
export const LINKS: readonly string[] = [
  '<a href="https://docs.docker.com/engine/reference/commandline/build/" rel="nofollow noreferrer">the docs</a>',
  '<a href="https://kubernetes.io/docs/concepts/workloads/pods/" rel="nofollow noreferrer">https://kubernetes.io/docs/concepts/workloads/pods/</a>',
  '<a href="https://devops.stackexchange.com/questions/1234/how-to-restart">this question</a>',
  '<a href="https://github.com/ansible/ansible/issues/12345" rel="nofollow noreferrer">issue #12345</a>',
  '<a href="https://www.terraform.io/docs/language/state/index.html" rel="nofollow noreferrer">Terraform: State</a>',
];

/** Non-ASCII snippets: accents, dashes, typographic quotes, emoji (astral plane), CJK. */
export const NON_ASCII: readonly string[] = [
  "café",
  "naïve",
  "über",
  "Zürich",
  "résumé",
  "—",
  "“quoted”",
  "…",
  "✓",
  "🚀",
  "😀",
  "日本語",
  "部署",
  "Ελληνικά",
  "Straße",
];

/** Display names of users without an account id (deleted or anonymous users). */
export const DISPLAY_NAMES: readonly string[] = [
  "Jörg Müller",
  "Ana O'Brien",
  "Zoë",
  "李伟",
  "André",
  "devops-guy",
  "Łukasz",
  "Sam",
  "anonymous",
  "Søren K.",
];
